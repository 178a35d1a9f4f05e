"""Forms of the WebAdmin shell."""

from django import forms


class LoginForm(forms.Form):
    name = forms.CharField(label="Account name", max_length=320,
                           widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(label="Password", max_length=1024, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
