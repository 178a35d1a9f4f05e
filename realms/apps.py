from django.apps import AppConfig


class RealmsConfig(AppConfig):
    name = "realms"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Connect the second factor's cache to the rows it reflects."""
        from django.db.models.signals import post_delete, post_save

        from realms import second_factor
        from server.models import ServerDocument

        post_save.connect(second_factor.server_settings_changed, sender=ServerDocument,
                          dispatch_uid="realms-2fa-requirement")
        post_delete.connect(second_factor.server_settings_changed, sender=ServerDocument,
                            dispatch_uid="realms-2fa-requirement-delete")
