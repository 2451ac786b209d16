from django.urls import path

from insights.following import views

urlpatterns = [
    path("", views.following, name="following"),
    path("follow/", views.follow, name="follow"),
    path("<int:pk>/unfollow/", views.unfollow, name="unfollow"),
    path("<int:pk>/", views.change, name="subscription_change"),
    path("what-happened-mail/", views.what_happened_mail, name="what_happened_mail"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="following_unsubscribe"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.read_all, name="notifications_read"),
]
