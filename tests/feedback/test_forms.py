"""The postcard form's topics: the process's copy of them follows the admin."""

from feedback.forms import SubmissionForm
from feedback.models import Topic


def test_a_topic_switched_off_or_added_is_seen_by_the_next_postcard(reference_data):
    school = Topic.objects.get(slug="school")

    def topic_error(topic: Topic) -> list[str]:
        form = SubmissionForm(
            {
                "kind": "idea",
                "audience": "in_care",
                "identity": "anonymous",
                "words": "Hi",
                "topic": str(topic.pk),
            }
        )
        form.is_valid()
        return form.errors.get("topic", [])

    assert topic_error(school) == []
    school.active = False
    school.save()  # in admin
    assert topic_error(school) == ["Choose what it is about."]
    new = Topic.objects.create(name="Sport", slug="sport", description="Clubs and teams")
    assert topic_error(new) == []
