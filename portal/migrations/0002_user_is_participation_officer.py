from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="is_participation_officer",
            field=models.BooleanField(
                default=False,
                help_text="Tags items with themes, approves excerpts, agrees actions and runs meetings.",
                verbose_name="participation officer",
            ),
        ),
    ]
