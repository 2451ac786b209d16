from django.urls import path

from insights import views

urlpatterns = [
    path("", views.theme_list, name="theme_list"),
    path("emerging/", views.emerging, name="emerging_themes"),
    path("<int:pk>/", views.theme_detail, name="theme_detail"),
    path("<int:pk>/<slug:action>/", views.curate, name="curate_theme"),
]
