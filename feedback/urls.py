from django.urls import path

from feedback import (
    paper_views,
    privacy_views,
    report_views,
    saved_reply_views,
    staff_views,
    team_views,
    views,
)

app_name = "feedback"

urlpatterns = [
    path("postcards/", views.my_items, name="my_items"),
    path("postcards/new/", views.submit, name="submit"),
    path("postcards/pictures/", views.picture_postcard, name="picture_postcard"),
    path("complaints/new/", views.submit, {"kind": "complaint"}, name="submit_complaint"),
    path("complaints/how-it-works/", views.complaints_info, name="complaints_info"),
    path("privacy/", views.privacy, name="privacy"),
    path("complaints/leaflet/", views.complaints_leaflet, name="complaints_leaflet"),
    path("postcards/print/", views.postcard_print, name="postcard_print"),
    path("postcards/sent/<str:reference>/", views.sent, name="sent"),
    path("postcards/<str:reference>/", views.item_detail, name="item"),
    path("postcards/<str:reference>/reply/", views.item_reply, name="item_reply"),
    path("postcards/<str:reference>/withdraw/", views.item_withdraw, name="item_withdraw"),
    path(
        "postcards/<str:reference>/stop-sharing/",
        views.item_stop_sharing,
        name="item_stop_sharing",
    ),
    path("postcards/<str:reference>/sorted/", views.item_sorted, name="item_sorted"),
    path("postcards/<str:reference>/next-stage/", views.item_next_stage, name="item_next_stage"),
    path("track/", views.track, name="track"),
    path("notifications/", views.notifications, name="notifications"),
    path("staff/", staff_views.queue, name="queue"),
    path("staff/paper/new/", paper_views.paper_new, name="paper_new"),
    path("staff/paper/<str:reference>/", paper_views.paper_done, name="paper_done"),
    path("staff/session/", staff_views.session_left, name="staff_session"),
    path("staff/session/stay/", staff_views.stay_signed_in, name="staff_stay_signed_in"),
    path("staff/items/<str:reference>/", staff_views.item, name="staff_item"),
    path("staff/items/<str:reference>/audit/", staff_views.audit, name="staff_audit"),
    path(
        "staff/items/<str:reference>/acknowledge/",
        staff_views.acknowledge,
        name="staff_acknowledge",
    ),
    path("staff/items/<str:reference>/read/", staff_views.mark_read, name="staff_mark_read"),
    path("staff/items/<str:reference>/take/", staff_views.take, name="staff_take"),
    path("staff/items/<str:reference>/decision/", staff_views.decide, name="staff_decide"),
    path("staff/items/<str:reference>/status/", staff_views.set_status, name="staff_status"),
    path("staff/items/<str:reference>/assign/", staff_views.assign, name="staff_assign"),
    path("staff/items/<str:reference>/reply/", staff_views.reply, name="staff_reply"),
    path("staff/items/<str:reference>/note/", staff_views.note, name="staff_note"),
    path("staff/items/<str:reference>/resolve/", staff_views.resolve, name="staff_resolve"),
    path("staff/items/<str:reference>/extend/", staff_views.extend, name="staff_extend"),
    path("staff/items/<str:reference>/stage/", staff_views.stage, name="staff_stage"),
    path("staff/items/<str:reference>/reroute/", staff_views.reroute, name="staff_reroute"),
    path("staff/items/<str:reference>/moved/", staff_views.moved, name="staff_moved"),
    path("staff/saved-replies/", saved_reply_views.saved_replies, name="saved_replies"),
    path("staff/saved-replies/new/", saved_reply_views.saved_reply_new, name="saved_reply_new"),
    path(
        "staff/saved-replies/<int:pk>/", saved_reply_views.saved_reply_edit, name="saved_reply_edit"
    ),
    path(
        "staff/saved-replies/<int:pk>/delete/",
        saved_reply_views.saved_reply_delete,
        name="saved_reply_delete",
    ),
    path("staff/audit/", report_views.audit_log, name="audit_log"),
    path("staff/people/", privacy_views.people, name="people"),
    path("staff/people/<str:username>/", privacy_views.person_data, name="person_data"),
    path(
        "staff/people/<str:username>/data.json",
        privacy_views.person_data_json,
        name="person_data_json",
    ),
    path("staff/people/<str:username>/erase/", privacy_views.person_erase, name="person_erase"),
    path(
        "staff/people/<str:username>/release/", privacy_views.person_release, name="person_release"
    ),
    path(
        "staff/people/<str:username>/released/<int:release>/",
        privacy_views.person_released,
        name="person_released",
    ),
    path(
        "staff/people/<str:username>/services/",
        privacy_views.person_services,
        name="person_services",
    ),
    path("staff/team/", team_views.team, name="team"),
    path("staff/team/items/<str:reference>/assign/", team_views.assign, name="team_assign"),
    path("staff/dashboard/", report_views.dashboard, name="dashboard"),
    path("staff/dashboard.csv", report_views.dashboard_csv, name="dashboard_csv"),
    path("staff/reports/complaints/", report_views.complaints_report, name="complaints_report"),
    path(
        "staff/reports/complaints.csv",
        report_views.complaints_report_csv,
        name="complaints_report_csv",
    ),
]
