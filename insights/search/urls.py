from django.urls import path

from insights.search import views

urlpatterns = [
    path("", views.search, name="search"),
    path("similar/<int:pk>/", views.similar, name="search_similar"),
]
