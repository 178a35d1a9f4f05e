"""The skin of the page being drawn (skins.look)."""

from django.http import HttpRequest

from skins.look import look_for


def skin(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {"skin": None}
    page = getattr(request, "cg_page", None)
    return {"skin": look_for(user, getattr(page, "title", "") or "")}
