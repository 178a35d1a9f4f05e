from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        # accounts.services.account_note_login writes last_login with account.info's LastLogin at
        # every recorded login (the WebAdmin form, the CLI); Django's own writer would be a second UPDATE.
        user_logged_in.disconnect(dispatch_uid="update_last_login")
