from django.urls import path

from voc.notes import views

urlpatterns = [
    path("", views.site_notes, name="site_notes"),
    path("new/", views.capture, name="capture"),
    path("assist/", views.assist, name="assist"),
    path("mine/", views.my_notes, name="my_notes"),
    path("export.csv", views.export_notes, name="export_notes"),
    path("export.xlsx", views.export_notes_xlsx, name="export_notes_xlsx"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/<int:pk>/", views.import_status, name="import_status"),
    path("import/<int:pk>/errors.csv", views.import_errors, name="import_errors"),
    path("<int:pk>/plus-one/", views.plus_one, name="plus_one"),
    path("<int:pk>/edit/", views.edit_note, name="edit_note"),
    path("<int:pk>/withdraw/", views.withdraw_note, name="withdraw_note"),
    path("<int:pk>/restore/", views.restore_note, name="restore_note"),
    path("<int:pk>/contact/", views.note_contact, name="note_contact"),
]
