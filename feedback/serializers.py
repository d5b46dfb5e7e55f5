from rest_framework import serializers

from feedback.models import Item


class YoungPersonItemSerializer(serializers.ModelSerializer):
    topic = serializers.CharField(source="topic.name")
    service = serializers.CharField(source="service.name", default=None)
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Item
        fields = [
            "reference",
            "kind",
            "topic",
            "status",
            "status_label",
            "service",
            "due_on",
            "created_at",
        ]


class StaffItemSerializer(YoungPersonItemSerializer):
    class Meta(YoungPersonItemSerializer.Meta):
        fields = [
            *YoungPersonItemSerializer.Meta.fields,
            "priority",
            "safeguarding",
            "stage",
            "clock",
            "identity",
            "words",
        ]
