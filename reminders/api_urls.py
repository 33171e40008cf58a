"""The app's API routes, included under /api/v1/ by the project's urls."""

from django.urls import path

from . import api

urlpatterns = [
    path("reminders/", api.ReminderListView.as_view(), name="api-reminders"),
    path("reminders/unread-count/", api.UnreadCountView.as_view(), name="api-reminders-unread-count"),
    path("reminders/preferences/", api.PreferencesView.as_view(), name="api-reminder-preferences"),
    path("reminders/<int:pk>/", api.ReminderDetailView.as_view(), name="api-reminder-detail"),
]
