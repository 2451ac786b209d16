from django.urls import path

from newsletter import views

urlpatterns = [
    path("", views.issue_list, name="newsletter_list"),
    path("draft/", views.issue_draft, name="newsletter_draft"),
    path("<int:pk>/", views.issue_detail, name="newsletter_detail"),
    path("<int:pk>/edit/", views.issue_edit, name="newsletter_edit"),
    path("<int:pk>/approve/", views.issue_approve, name="newsletter_approve"),
    path("<int:pk>/test/", views.issue_test, name="newsletter_test"),
    path("<int:pk>/send/", views.issue_send, name="newsletter_send"),
    path("<int:pk>/email/", views.issue_email_preview, name="newsletter_email_preview"),
    path("<int:pk>/pdf/", views.issue_pdf, name="newsletter_pdf"),
    path("packs/", views.pack_list, name="newsletter_packs"),
    path("packs/<int:pk>/pdf/", views.pack_pdf, name="newsletter_pack_pdf"),
    path("settings/", views.subscription, name="newsletter_subscription"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="newsletter_unsubscribe"),
]
