from django.urls import path

from insights import views

urlpatterns = [
    path("", views.theme_list, name="theme_list"),
    path("emerging/", views.emerging, name="emerging_themes"),
    path("<int:pk>/", views.theme_detail, name="theme_detail"),
    path("<int:pk>/accept/", views.accept_theme, name="theme_accept"),
    path("<int:pk>/rename/", views.rename_theme, name="theme_rename"),
    path("<int:pk>/archive/", views.archive_theme, name="theme_archive"),
    path("<int:pk>/merge/", views.merge_theme, name="theme_merge"),
    path("<int:pk>/parent/", views.set_parent, name="theme_parent"),
    path("<int:pk>/split/", views.split_theme, name="theme_split"),
    path("<int:pk>/move/", views.move_notes, name="theme_move"),
    path("<int:pk>/undo/", views.undo_change, name="theme_undo"),
    path("<int:pk>/heard/", views.theme_heard, name="theme_heard"),
]
