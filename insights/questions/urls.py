from django.urls import path

from insights.questions import views

urlpatterns = [
    path("", views.question_list, name="question_list"),
    path("new/", views.ask, name="question_ask"),
    path("<int:pk>/", views.question_detail, name="question_detail"),
    path("<int:pk>/edit/", views.edit, name="question_edit"),
    path("<int:pk>/close/", views.close, name="question_close"),
    path("<int:pk>/heard/", views.heard, name="question_heard"),
    path("matches/<int:pk>/decide/", views.decide, name="question_decide"),
]
