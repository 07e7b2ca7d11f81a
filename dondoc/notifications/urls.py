from django.urls import path

from dondoc.notifications import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notification_read_all,
         name="notification_read_all"),
    path("notifications/email/", views.mail_preference, name="notification_mail"),
    path("notifications/rules/", views.reminder_rules, name="reminder_rules"),
    path("notifications/rules/<int:pk>/", views.reminder_rule_change,
         name="reminder_rule_change"),
]
