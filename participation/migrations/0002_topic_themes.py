"""Every topic is a theme to start with."""

from django.db import migrations


def topic_themes(apps, schema_editor):
    Topic = apps.get_model("feedback", "Topic")
    Theme = apps.get_model("participation", "Theme")
    for topic in Topic.objects.filter(theme__isnull=True):
        name = topic.name
        if Theme.objects.filter(name__iexact=name).exists():
            name = f"{name} ({topic.slug})"
        Theme.objects.create(name=name, topic=topic, state="agreed")


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0001_initial"),
    ]

    operations = [migrations.RunPython(topic_themes, migrations.RunPython.noop)]
