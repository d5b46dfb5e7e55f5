from django.urls import path

from participation.views import (
    actions,
    board,
    dashboard,
    items,
    meetings,
    moderation,
    packs,
    themes,
)

app_name = "participation"

urlpatterns = [
    path("council/", dashboard.council, name="council"),
    path("council/figures.csv", dashboard.council_csv, name="council_csv"),
    path("council/themes/", themes.themes, name="themes"),
    path("council/themes/<str:pk>/", themes.theme, name="theme"),
    path("council/themes/<str:pk>/agree/", themes.theme_agree, name="theme_agree"),
    path("council/themes/<str:pk>/merge/", themes.theme_merge, name="theme_merge"),
    path("council/moderation/", moderation.moderation, name="moderation"),
    path("council/moderation/<str:reference>/", moderation.excerpt_new, name="excerpt_new"),
    path(
        "council/excerpts/<str:pk>/approve/",
        moderation.excerpt_approve_again,
        name="excerpt_approve_again",
    ),
    path(
        "council/excerpts/<str:pk>/withdraw/", moderation.excerpt_withdraw, name="excerpt_withdraw"
    ),
    path("council/items/<str:reference>/themes/", items.item_tag, name="item_tag"),
    path(
        "council/items/<str:reference>/themes/<str:theme_pk>/remove/",
        items.item_untag,
        name="item_untag",
    ),
    path("council/items/<str:reference>/action/", items.item_link_action, name="item_link_action"),
    path(
        "council/items/<str:reference>/action/new/",
        items.item_start_action,
        name="item_start_action",
    ),
    path("council/actions/", actions.actions, name="actions"),
    path("council/actions/new/", actions.action_propose, name="action_propose"),
    path("council/actions/mine/", actions.my_proposals, name="my_proposals"),
    path("council/actions/<str:pk>/", actions.action, name="action"),
    path("council/actions/<str:pk>/agree/", actions.action_agree, name="action_agree"),
    path("council/actions/<str:pk>/decline/", actions.action_decline, name="action_decline"),
    path("council/actions/<str:pk>/update/", actions.action_update, name="action_update"),
    path("council/actions/<str:pk>/link/", actions.action_link, name="action_link"),
    path("council/meetings/", meetings.meetings, name="meetings"),
    path("council/meetings/<str:pk>/", meetings.meeting, name="meeting"),
    path("council/meetings/<str:pk>/agenda/", meetings.meeting_agenda, name="meeting_agenda"),
    path("council/meetings/<str:pk>/minutes/", meetings.meeting_minutes, name="meeting_minutes"),
    path(
        "council/meetings/<str:pk>/questions/", meetings.meeting_question, name="meeting_question"
    ),
    path(
        "council/meetings/<str:pk>/questions/<str:question_pk>/action/",
        meetings.question_to_action,
        name="question_to_action",
    ),
    path("council/meetings/<str:pk>/pack/", packs.board_pack, name="board_pack"),
    path("council/meetings/<str:pk>/pack.csv", packs.board_pack_csv, name="board_pack_csv"),
    path("you-said-we-did/", board.board, name="board"),
]
