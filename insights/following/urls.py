from django.urls import path

from insights.following import views

urlpatterns = [
    path("", views.following, name="following"),
    path("follow/", views.follow, name="follow"),
    path("<int:pk>/unfollow/", views.unfollow, name="unfollow"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.read_all, name="notifications_read"),
]
