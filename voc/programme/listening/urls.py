from django.urls import path

from voc.programme.listening import views as listening_views

urlpatterns = [
    path("", listening_views.listening_mine, name="listening_mine"),
    path("new/", listening_views.listening_new, name="listening_new"),
]
