from django.urls import path

from voc.programme.cases import views as case_views

urlpatterns = [
    path("", case_views.case_list, name="case_list"),
    path("<int:pk>/", case_views.case_detail, name="case_detail"),
    path("<int:pk>/contact/", case_views.case_contact, name="case_contact"),
    path("<int:pk>/acknowledge/", case_views.acknowledge_case, name="case_acknowledge"),
    path("<int:pk>/contacted/", case_views.customer_contacted, name="case_contacted"),
    path("<int:pk>/resolve/", case_views.resolve_case, name="case_resolve"),
    path("<int:pk>/hand-back/", case_views.hand_back_case, name="case_hand_back"),
    path("<int:pk>/note/", case_views.add_case_note, name="case_note"),
]
