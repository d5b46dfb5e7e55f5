"""The API's paths: /api/v1/ (v1_patterns), and the first four read-only paths under
/api/ (urlpatterns), which answer with the v1 views until a release note retires them."""

from django.urls import path

from feedback import api

urlpatterns = [
    path("items/", api.MyItems.as_view(), name="api_my_items"),
    path("items/<str:reference>/", api.MyItem.as_view(), name="api_my_item"),
    path("staff/items/", api.Queue.as_view(), name="api_staff_items"),
    path("staff/items/<str:reference>/", api.StaffItemDetail.as_view(), name="api_staff_item"),
]

_item = "items/<str:reference>"
_staff = "staff/items/<str:reference>"
v1_patterns = [
    path("topics/", api.Topics.as_view(), name="topics"),
    path("items/", api.MyItems.as_view(), name="items"),
    path("items/track/", api.Track.as_view(), name="track"),
    path(f"{_item}/", api.MyItem.as_view(), name="item"),
    path(f"{_item}/reply/", api.ItemReply.as_view(), name="item_reply"),
    path(f"{_item}/withdraw/", api.ItemWithdraw.as_view(), name="item_withdraw"),
    path(f"{_item}/sorted/", api.ItemSorted.as_view(), name="item_sorted"),
    path(f"{_item}/next-stage/", api.ItemNextStage.as_view(), name="item_next_stage"),
    path("notifications/", api.MyNotifications.as_view(), name="notifications"),
    path("staff/items/", api.Queue.as_view(), name="queue"),
    path("staff/paper/", api.Paper.as_view(), name="paper"),
    path(f"{_staff}/", api.StaffItemDetail.as_view(), name="staff_item"),
    path(f"{_staff}/acknowledge/", api.Acknowledge.as_view(), name="acknowledge"),
    path(f"{_staff}/take/", api.Take.as_view(), name="take"),
    path(f"{_staff}/assign/", api.Assign.as_view(), name="assign"),
    path(f"{_staff}/reply/", api.StaffReply.as_view(), name="reply"),
    path(f"{_staff}/note/", api.Note.as_view(), name="note"),
    path(f"{_staff}/status/", api.SetStatus.as_view(), name="status"),
    path(f"{_staff}/resolve/", api.Resolve.as_view(), name="resolve"),
    path(f"{_staff}/extend/", api.Extend.as_view(), name="extend"),
    path(f"{_staff}/stage/", api.Stage.as_view(), name="stage"),
    path(f"{_staff}/reroute/", api.Reroute.as_view(), name="reroute"),
]
