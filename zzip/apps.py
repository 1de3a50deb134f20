from django.contrib.admin.apps import AdminConfig


class ZzipAdminConfig(AdminConfig):
    default_site = "zzip.admin.ZzipAdminSite"
