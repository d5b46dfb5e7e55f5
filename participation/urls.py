from django.urls import path

from participation import views

app_name = "participation"

urlpatterns = [
    path("council/", views.council, name="council"),
    path("council/figures.csv", views.council_csv, name="council_csv"),
    path("council/themes/", views.themes, name="themes"),
    path("council/themes/<str:pk>/", views.theme, name="theme"),
    path("council/themes/<str:pk>/agree/", views.theme_agree, name="theme_agree"),
    path("council/themes/<str:pk>/merge/", views.theme_merge, name="theme_merge"),
    path("council/moderation/", views.moderation, name="moderation"),
    path("council/moderation/<str:reference>/", views.excerpt_new, name="excerpt_new"),
    path("council/excerpts/<str:pk>/withdraw/", views.excerpt_withdraw, name="excerpt_withdraw"),
    path("council/items/<str:reference>/themes/", views.item_tag, name="item_tag"),
    path(
        "council/items/<str:reference>/themes/<str:theme_pk>/remove/",
        views.item_untag,
        name="item_untag",
    ),
    path("council/items/<str:reference>/action/", views.item_link_action, name="item_link_action"),
    path(
        "council/items/<str:reference>/action/new/",
        views.item_start_action,
        name="item_start_action",
    ),
    path("council/actions/", views.actions, name="actions"),
    path("council/actions/new/", views.action_propose, name="action_propose"),
    path("council/actions/<str:pk>/", views.action, name="action"),
    path("council/actions/<str:pk>/agree/", views.action_agree, name="action_agree"),
    path("council/actions/<str:pk>/update/", views.action_update, name="action_update"),
    path("council/actions/<str:pk>/link/", views.action_link, name="action_link"),
    path("council/meetings/", views.meetings, name="meetings"),
    path("council/meetings/<str:pk>/", views.meeting, name="meeting"),
    path("council/meetings/<str:pk>/agenda/", views.meeting_agenda, name="meeting_agenda"),
    path("council/meetings/<str:pk>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("council/meetings/<str:pk>/questions/", views.meeting_question, name="meeting_question"),
    path(
        "council/meetings/<str:pk>/questions/<str:question_pk>/action/",
        views.question_to_action,
        name="question_to_action",
    ),
    path("council/meetings/<str:pk>/pack/", views.board_pack, name="board_pack"),
    path("council/meetings/<str:pk>/pack.csv", views.board_pack_csv, name="board_pack_csv"),
    path("you-said-we-did/", views.board, name="board"),
]
