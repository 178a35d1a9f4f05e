"""The WebAdmin's own table: administrators' TOTP second factor (kept apart from account settings,
which the CLI and the base directory export)."""

from django.conf import settings
from django.db import models


class SecondFactor(models.Model):
    """A TOTP secret (RFC 6238, 30-second steps, 6 digits) of one account."""

    account = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="second_factor")
    secret = models.CharField(max_length=64)
    confirmed = models.BooleanField(default=False)  # enrolment ends when the first code is verified
    last_step = models.BigIntegerField(default=0)  # a code is good once: later logins need a later step
    # SHA-256 of each unused recovery code (random, 40 bits each: a fast hash is enough for them).
    recovery_codes = models.JSONField(default=list)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"second factor of {self.account_id}"
