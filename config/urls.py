from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from config.health import healthz
from insights import api as insights_api
from insights.actions import api as actions_api
from insights.explore import api as explore_api
from insights.following import api as following_api
from insights.questions import api as questions_api
from insights.search import api as search_api
from newsletter import api as newsletter_api
from voc.accounts import api as accounts_api
from voc.accounts import views as accounts_views
from voc.middleware import csp_allows_inline_styles
from voc.notes import api as voc_api
from voc.programme.cases import api as case_api
from voc.programme.listening import api as listening_api

router = SimpleRouter()
router.register("notes", voc_api.NoteViewSet, basename="note")
router.register("themes", insights_api.ThemeViewSet, basename="theme")
router.register("newsletters", newsletter_api.IssueViewSet, basename="newsletter")
router.register("cases", case_api.CaseViewSet, basename="case")
router.register("listening", listening_api.ListeningViewSet, basename="listening")
router.register("questions", questions_api.QuestionViewSet, basename="question")
router.register("actions", actions_api.ActionViewSet, basename="action")
router.register("subscriptions", following_api.SubscriptionViewSet, basename="subscription")
router.register("notifications", following_api.NotificationViewSet, basename="notification")

api_patterns = [
    *router.urls,
    path("", accounts_api.ApiRootView.as_view(), name="root"),
    path("auth/token/", accounts_api.ObtainTokenView.as_view(), name="token"),
    path("me/", accounts_api.MeView.as_view(), name="me"),
    path("dashboard/", explore_api.DashboardView.as_view(), name="dashboard"),
    path("search/", search_api.SearchView.as_view(), name="search"),
    path("search/similar/<int:pk>/", search_api.SimilarView.as_view(), name="search-similar"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file (?script), not inline; the
    # UI styles its widgets inline, hence that page's CSP allows inline styles.
    path("docs/", csp_allows_inline_styles(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
]

account_patterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("profile/", accounts_views.profile, name="profile"),
    path("tokens/", accounts_views.tokens, name="api_tokens"),
]

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path("accounts/", include(account_patterns)),
    path("notes/", include("voc.notes.urls")),
    path("themes/", include("insights.urls")),
    path("newsletters/", include("newsletter.urls")),
    path("cases/", include("voc.programme.cases.urls")),
    path("listening/", include("voc.programme.listening.urls")),
    path("programme/", include("insights.programme_urls")),
    path("questions/", include("insights.questions.urls")),
    path("what-happened/", include("insights.feedback.urls")),
    path("actions/", include("insights.actions.urls")),
    path("following/", include("insights.following.urls")),
    path("dashboard/", include("insights.explore.urls")),
    path("search/", include("insights.search.urls")),
    path("language/", accounts_views.set_language, name="set_language"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_patterns, "api"))),
]

handler403 = "voc.accounts.views.permission_denied"
handler500 = "config.unavailable.server_error"  # a dropped database connection is a 503, not a 500
