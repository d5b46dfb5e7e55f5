from django.urls import path

from feedback import api

urlpatterns = [
    path("items/", api.MyItems.as_view(), name="api_my_items"),
    path("items/<str:reference>/", api.MyItem.as_view(), name="api_my_item"),
    path("staff/items/", api.StaffItems.as_view(), name="api_staff_items"),
    path("staff/items/<str:reference>/", api.StaffItem.as_view(), name="api_staff_item"),
]
