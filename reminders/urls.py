from django.urls import path

from . import views

urlpatterns = [
    path("reminders/", views.inbox, name="reminders"),
    path("reminders/unread-count/", views.unread_count, name="reminders-unread-count"),
    path("reminders/preferences/", views.preferences, name="reminder-preferences"),
    path("reminders/<int:pk>/read/", views.mark_read, name="reminder-read"),
    path("reminders/<int:pk>/done/", views.mark_done, name="reminder-done"),
    path("reminders/<int:pk>/snooze/", views.snooze, name="reminder-snooze"),
]
