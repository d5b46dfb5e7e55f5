"""The safeguarding triage table: what must reach the duty team at once, and what must not.

Judgement calls, so the next person can see them and argue with them here:

- Err on flagging. A worker reading a false alarm costs minutes; a missed
  disclosure costs far more. So "he beat me" flags even though it may be FIFA,
  and "I don't want to die" flags (negation is not read).
- Idioms of exaggeration do not flag: "dying to go", "homework is killing me",
  "killer fun", "I'm starving". None of these name the child as the one at risk,
  and they are common enough in ordinary feedback to drown the duty team.
- An accident does not flag ("I got hurt playing football"); a person does
  ("hurt by my carer", "hit me", "hurts me").
- Things go missing all the time in care; only a person going missing flags
  ("I went missing", not "my phone went missing").
- "I don't want to live here" is a request to move placement and does not flag;
  "I don't want to live" does.
- Bullying on its own ("I'm being bullied") and shouting ("my carer shouts at
  me") are complaints for the service, not the duty team, unless they come with
  violence, threats or other risk words.
- "Got beaten" flags, but not before a score ("we got beaten 3-0").
- Scared to go back to a placement or home flags; scared to go back to school
  does not, unless it names harm ("scared to go back to school" is usually
  exams or friends). "Don't want to go back there" flags; "don't want to go
  back to the home after the trip, it's boring" does not.
- A weapon flags when a person has it, points it or uses it ("he's got a
  knife", "pulled a gun on me"); cutlery, toys and films do not ("my knife and
  fork", "a nerf gun", "the film had a gun in it").
- Being followed, watched or waited for flags when it is a stranger, an adult,
  "some lads" or an ex, or "he" keeps at it; a carer waiting at the gate, a
  mate following on insta and "followed up" do not.
- Shaking, grabbing, pinning, choking, locking in and screaming in a child's
  face flag; "grabbed my phone", "shook the duvet" and "it shook me up" do not.
- Nowhere to live flags ("sofa surfing", "sleeping in the park", "kicking me
  out"); "nowhere to go in town" and "we collected food for the homeless" do not.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from feedback import triage
from feedback.triage import RULES_PATH, Assessment, assess, load_rules, normalise

SUICIDAL = "suicidal thoughts"
SELF_HARM = "self-harm"
ABUSE = "abuse"
SEXUAL_ABUSE = "sexual abuse"
NEGLECT = "neglect"
UNSAFE = "unsafe at home"
MISSING = "going missing"
EXPLOITATION = "exploitation"

MUST_FLAG: list[tuple[str, str]] = [
    # Thoughts of suicide, including text-speak and misspellings.
    ("i want to die", SUICIDAL),
    ("i wanna die", SUICIDAL),
    ("i just wanna dieeee", SUICIDAL),
    ("i want 2 die", SUICIDAL),
    ("kms", SUICIDAL),
    ("honestly i might kms tonight", SUICIDAL),
    ("they keep telling me to kys", SUICIDAL),
    ("i want to unalive myself", SUICIDAL),
    ("been thinking about unaliving", SUICIDAL),
    ("I'm going to kill myself", SUICIDAL),
    ("gonna k1ll myself", SUICIDAL),
    ("I feel suicidal", SUICIDAL),
    ("having sucidal thoughts again", SUICIDAL),
    ("everyone would be better off without me", SUICIDAL),
    ("i wish i was dead", SUICIDAL),
    ("I don't want to be alive anymore", SUICIDAL),
    ("dont want to live no more", SUICIDAL),
    ("i'm going to end it all", SUICIDAL),
    ("gonna take all my pills", SUICIDAL),
    ("thinking of jumping off a bridge", SUICIDAL),
    ("sewer slide", SUICIDAL),
    ("nobody would miss me", SUICIDAL),
    ("there's no point living", SUICIDAL),
    ("SUICIDE", SUICIDAL),
    ("i wanna end it", SUICIDAL),
    ("i'm done with life", SUICIDAL),
    ("dont wanna be here no more", SUICIDAL),
    # Self-harm.
    ("i self harm", SELF_HARM),
    ("been selfharming since year 7", SELF_HARM),
    ("I've been cutting myself", SELF_HARM),
    ("ctting again", SELF_HARM),
    ("i started cutting again", SELF_HARM),
    ("i hurt myself when im sad", SELF_HARM),
    ("I hurt my self", SELF_HARM),
    ("i burn myself", SELF_HARM),
    ("i do sh when i'm upset", SELF_HARM),
    ("sh urges are bad tonight", SELF_HARM),
    ("i want to harm myself", SELF_HARM),
    ("i starve myself so i feel in control", SELF_HARM),
    ("i make myself sick after tea", SELF_HARM),
    ("I've got cuts on my arms", SELF_HARM),
    ("$elf h@rm", SELF_HARM),
    ("i want to cut", SELF_HARM),
    # Physical and emotional abuse, threats.
    ("my foster dad hits me", ABUSE),
    ("she hurts me", ABUSE),
    ("he hittt me", ABUSE),
    ("he h1ts me", ABUSE),
    ("my carer slapped me", ABUSE),
    ("she pushed me down the stairs", ABUSE),
    ("he kicked me and I have bruises", ABUSE),
    ("my step dad chokes me", ABUSE),
    ("he locks me in my room", ABUSE),
    ("she said she would kill me", ABUSE),
    ("I get beaten up", ABUSE),
    ("they abuse me", ABUSE),
    ("my mum calls me worthless", ABUSE),
    ("he told me not to tell anyone", ABUSE),
    ("I got hurt by my carer", ABUSE),
    ("he beats me when he's drunk", ABUSE),
    ("he threw a plate at me", ABUSE),
    ("the staff restrained me", ABUSE),
    ("i get hit at home", ABUSE),
    # Sexual abuse.
    ("he touched me", SEXUAL_ABUSE),
    ("he touchd me", SEXUAL_ABUSE),
    ("my uncle touches me at night", SEXUAL_ABUSE),
    ("he touched my privates", SEXUAL_ABUSE),
    ("i was raped", SEXUAL_ABUSE),
    ("he comes into my bed at night", SEXUAL_ABUSE),
    ("he made me watch porn", SEXUAL_ABUSE),
    ("he molested me", SEXUAL_ABUSE),
    ("he climbs into my bed", SEXUAL_ABUSE),
    # Neglect.
    ("there is never any food in the house", NEGLECT),
    ("they dont feed me", NEGLECT),
    ("i go to bed hungry", NEGLECT),
    ("they leave me home alone all weekend", NEGLECT),
    ("no electric in my flat and its freezing", NEGLECT),
    ("my carer locks the fridge so i can't eat", NEGLECT),
    # Scared or unsafe where they live.
    ("I dont feel safe at home", UNSAFE),
    ("i dont feel safe", UNSAFE),
    ("I don\u2019t feel safe", UNSAFE),
    ("i dnt feel saf3", UNSAFE),
    ("scared 2 go home", UNSAFE),
    ("i'm scared of my foster dad", UNSAFE),
    ("i'm t3rrified of going home", UNSAFE),
    ("im not safe here", UNSAFE),
    ("i'm really scared please help", UNSAFE),
    ("please get me out of here", UNSAFE),
    ("my dad hits my mum", UNSAFE),
    ("he beats me when he's drunk", UNSAFE),
    ("i am homeless", UNSAFE),
    ("my mum's boyfriend hits her", UNSAFE),
    ("sleeping rough since my landlord kicked me out", UNSAFE),
    # Running away, going missing.
    ("i ran away last night", MISSING),
    ("im gonna run off", MISSING),
    ("I'm going to run away", MISSING),
    ("i went missing for 3 days", MISSING),
    ("the police reported me missing", MISSING),
    ("i stayed out all night", MISSING),
    ("I just want to disappear", MISSING),
    ("RAN AWAYYYY", MISSING),
    ("i'm going to leg it", MISSING),
    # Criminal and sexual exploitation.
    ("county lines", EXPLOITATION),
    ("they made me carry stuff for them", EXPLOITATION),
    ("older men keep giving me lifts", EXPLOITATION),
    ("he keeps asking me to send pics", EXPLOITATION),
    ("sending pics to a guy i met online", EXPLOITATION),
    ("a man i met on snapchat wants to meet up", EXPLOITATION),
    ("they make me sell drugs", EXPLOITATION),
    ("i owe them so i have to do what they say", EXPLOITATION),
    ("went country with the olders", EXPLOITATION),
    ("they gave me weed and vodka", EXPLOITATION),
    ("I think I'm being groomed", EXPLOITATION),
    ("someone shared my nudes", EXPLOITATION),
    ("they make me do things", EXPLOITATION),
    ("a man at the park gave me money", EXPLOITATION),
    ("they put drugs up my bum", EXPLOITATION),
    # Scared to go back to a placement or home.
    ("im scared to go back to my placement", UNSAFE),
    ("dont make me go home tonight", UNSAFE),
    ("I'm terrified of going back to my foster placement", UNSAFE),
    ("please dont send me back there", UNSAFE),
    ("scared 2 go bk 2 my placement", UNSAFE),
    ("i dread going home every night", UNSAFE),
    ("i cant go back to that house", UNSAFE),
    ("im so scaredd to go back to my dads", UNSAFE),
    ("i dont want to go back to that house", UNSAFE),
    ("I'm frightened of going home tonight", UNSAFE),
    ("please don't make me go back to my mum's", UNSAFE),
    ("afraid to return to my placement after what happened", UNSAFE),
    ("im scared to be home when he is there", UNSAFE),
    ("I'm petrified of going back to the children's home", UNSAFE),
    ("i feel sick with fear about going home", UNSAFE),
    ("i never want to go back there", UNSAFE),
    ("i dont want to be sent back home", UNSAFE),
    ("scared of what will happen when i get home", UNSAFE),
    # Saying plainly that they are in danger or not safe.
    ("I'm in danger", UNSAFE),
    ("i think im in danger", UNSAFE),
    ("my life is in danger", UNSAFE),
    ("im in real danger at my placement", UNSAFE),
    ("i dont feel safe here", UNSAFE),
    ("im not safe", UNSAFE),
    ("i never feel safe in this house", UNSAFE),
    ("i dont feel save at home", UNSAFE),
    ("my stepdad is dangerous", UNSAFE),
    ("i need somewhere safe to stay tonight", UNSAFE),
    ("i'm at risk at home", UNSAFE),
    ("I'm scared for my safety", UNSAFE),
    ("i just want to feel safe", UNSAFE),
    ("im in dnger pls help", UNSAFE),
    ("its dangerous for me at home", UNSAFE),
    ("i dont think im safe", UNSAFE),
    # Weapons and threats to hurt them.
    ("he has a knife", ABUSE),
    ("my mums boyfriend has got a gun", ABUSE),
    ("he pulled a gun on me", ABUSE),
    ("he held a knife to my throat", ABUSE),
    ("he said he'd stab me", ABUSE),
    ("she threatened to hurt me", ABUSE),
    ("he said he will kill me", ABUSE),
    ("he said he'll kill me if i tell", ABUSE),
    ("they said im dead if i go to school tomorrow", ABUSE),
    ("i got death threats on snap", ABUSE),
    ("he came at me with a knife", ABUSE),
    ("my brother keeps a machete under his bed", ABUSE),
    ("found a gun in his bag", ABUSE),
    ("he threatned to smash my face in", ABUSE),
    ("my foster brother carries a knife", ABUSE),
    ("he waved a kn1fe at me", ABUSE),
    ("some lads said theyre gonna jump me", ABUSE),
    ("he pointed a gun at my head", ABUSE),
    ("he shot at us", ABUSE),
    ("i keep a knife under my pillow", ABUSE),
    ("he chased me with a baseball bat", ABUSE),
    ("he got a nife", ABUSE),
    ("he sed he wud kill me", ABUSE),
    # Followed, watched or waited for by an adult.
    ("a man keeps following me", UNSAFE),
    ("someone waits for me outside school", UNSAFE),
    ("an older guy watches me from his car", UNSAFE),
    ("some1 followed me home from the bus stop", UNSAFE),
    ("there's a car that keeps waiting for me outside college", UNSAFE),
    ("a strange man keeps hanging around outside my school", UNSAFE),
    ("he keeps following me everywhere", UNSAFE),
    ("this older lad waits for me at the bus stop every day", UNSAFE),
    ("a man in a van keeps driving past my house", UNSAFE),
    ("the same man is always outside my house", UNSAFE),
    ("some guy stares at me on the bus every day", UNSAFE),
    ("a man kept taking pictures of me at the park", UNSAFE),
    ("my ex keeps turning up at my flat", UNSAFE),
    ("someone keeps watching me through my window at night", UNSAFE),
    ("my mums ex knows where i live now", UNSAFE),
    ("i think im being followd", UNSAFE),
    ("he knows where i live and keeps lurking outside", UNSAFE),
    ("my ex boyfriend keeps turning up at my flat", UNSAFE),
    ("sum1 keeps followin me", UNSAFE),
    ("a man keeps turning up wherever i go", UNSAFE),
    # Physical harm described with other verbs.
    ("she shook me really hard", ABUSE),
    ("he grabbed me by the neck", ABUSE),
    ("locked me in my room", ABUSE),
    ("choked me", ABUSE),
    ("screams in my face", ABUSE),
    ("my carer shakes me when im naughty", ABUSE),
    ("he grabbed my hair and dragged me up the stairs", ABUSE),
    ("she pins me down on the floor", ABUSE),
    ("he had his hands round my throat", ABUSE),
    ("i get locked in my room all weekend", ABUSE),
    ("he yells right in my face until i cry", ABUSE),
    ("she grabd my arm so hard it left a mark", ABUSE),
    ("my foster dad throttled me", ABUSE),
    ("he dragged me across the floor", ABUSE),
    ("she pulls my hair", ABUSE),
    ("he slammed my head against the wall", ABUSE),
    ("she gets right up in my face and screams", ABUSE),
    ("he sat on me so i couldnt breathe", ABUSE),
    ("hes always grabbin me", ABUSE),
    ("he put his hands on my neck", ABUSE),
    # Nowhere to live, sleeping rough.
    ("I'm sleeping on the streets", UNSAFE),
    ("got kicked out and have nowhere to stay tonight", UNSAFE),
    ("sofa surfing and nowhere to go", UNSAFE),
    ("homeless", UNSAFE),
    ("im homless", UNSAFE),
    ("my hostel is kicking me out on friday", UNSAFE),
    ("i have nowhere to go tonight", UNSAFE),
    ("been sleeping in the park for a week", UNSAFE),
    ("i dont have anywhere to live", UNSAFE),
    ("i've been living in my car", UNSAFE),
    ("mum chucked me out last night", UNSAFE),
    ("I got evicted and have no where to live", UNSAFE),
    ("i'll end up on the streets", UNSAFE),
    ("sleepin rough since the hostel kicked me out", UNSAFE),
    ("staying on different mates sofas every night", UNSAFE),
    ("couch surfing since my placement ended", UNSAFE),
    ("i have no were to stay 2nite", UNSAFE),
    ("i dont have a home", UNSAFE),
]

MUST_NOT_FLAG: list[str] = [
    # Compliments, thanks, ideas.
    "my social worker is great",
    "I love my foster family",
    "the staff at the home are kind",
    "thank you for my birthday card",
    "I feel safe with my foster carers",
    "My new school is safe and friendly",
    "my foster carer makes the best lasagne",
    "can we go bowling on takeover day",
    "can we have pizza on fridays",
    "I'd like to learn to drive",
    "I want to be a rapper when I'm older",
    "I love rapping",
    "I want to be a dog groomer",
    "I love grooming the horses at the stables",
    "Please can you send pictures from the awards night",
    "my PA helped me find a flat",
    # Complaints about things, not about being at risk.
    "I want more pocket money",
    "the wifi at my placement keeps dropping",
    "the food at the home is boring",
    "the bus to college is too expensive",
    "I don't like the new rules about phones",
    "my IRO never listens to me",
    "the shower in my room is always cold",
    "my phone went missing at school",
    "my stuff went missing when I moved placement",
    "i dont want to live here i want to live with my nan",
    "the staff always knock before coming into my room",
    "I owe my mate a tenner",
    "I got kicked out of class today",
    "My foster carer shouts at me when my room is messy",
    # Family and contact.
    "I'd like to see my brother more often",
    "contact with my mum got cancelled again and I'm really upset",
    "I want to go home to my mum for christmas",
    "I keep in touch with my old foster carers",
    "It hurt my feelings when my review was cancelled",
    # Idioms of exaggeration (see the module docstring above).
    "school trip was killer fun",
    "I'm dying to go to the party",
    "this homework is killing me",
    "kmsl that was so funny",
    "I'm starving after school, can we have more snacks",
    "I'm so bored I could die",
    # Sport, accidents, everyday fears.
    "I got hurt playing football",
    "I got a cut on my knee at football",
    "I fell off my bike but I'm fine now",
    "I ran the 100 metres at sports day",
    "I want to run the children in care council",
    "I beat everyone at chess",
    "we got beaten 3-0 on saturday",
    "my little sister hit a home run at rounders",
    "I want to cut my hair short",
    "im gonna jump on the trampoline",
    "I'm scared of spiders",
    "I'm nervous about my exams",
    # Near misses: scared to go back, but not to where they live.
    "I'm scared to go back to school after the holidays because of exams",
    "I'm scared of my exams",
    "I'm nervous about going back to college",
    "I don't want to go back to school on Monday",
    "I want to go back to my old placement, I miss my carers",
    "I don't want to go back to the children's home after the trip, it's boring there",
    "dont make me go to bed early on a saturday",
    "can't wait to go home for the summer",
    "I'm scared to go back to school after being off sick",
    # Near misses: danger and safety.
    "I'm in danger of failing maths",
    "we learned about stranger danger in PSHE",
    "the road outside school is dangerous to cross",
    "can you keep my passport somewhere safe",
    "I didn't save my work and lost it all",
    "I feel safe at my new placement",
    # Near misses: weapons and threats.
    "I lost my knife and fork",
    "the film had a gun in it",
    "I want a nerf gun for my birthday",
    "we did a talk about knife crime at school",
    "my carer is teaching me to use a knife safely in the kitchen",
    "shoot me a message when the minutes are ready",
    "he shot me a look",
    "my little brother got a water gun for christmas",
    "my carer got a new knife block for the kitchen",
    "The play at school had a sword fight",
    "My nan has a gun cabinet for clay shooting",
    "We played laser tag and I got shot loads of times lol",
    "I got threatened with detention for being late",
    "My mate said I'm dead funny",
    "My foster dad said he will get me a bike if I pass",
    # Near misses: followed, watched, waited for.
    "I waited for the bus",
    "the teacher followed up with me",
    "my mate kept following me on insta",
    "my foster carer waits for me outside school",
    "my nan came to watch me play football",
    "a girl from my old school followed me back on tiktok",
    "a man from the council followed up on my complaint",
    "my dog follows me everywhere",
    "the bus driver waited for me when I was late",
    "people stare at me on the bus because of my scars",
    "A young person follows what they sent on the tracking page",
    "the lads wait for me after football",
    "thank you guys for waiting for me",
    "my ex foster carer waits for me outside school",
    "I'm watched all the time by staff, I have no privacy",
    # Near misses: other ways of hurting.
    "my brother grabbed my phone",
    "my foster carer shook the duvet",
    "can you grab me a drink from the shop",
    "I shook hands with the mayor on takeover day",
    "the news really shook me up",
    "The meeting really shook me, I didn't know my dad was ill",
    "my carer dragged me to the dentist",
    "I hit my head on the cupboard door",
    "my carer holds my hand when we cross the road",
    "she twisted my arm so I said yes to pizza",
    "I got locked in the toilet at school by accident",
    "My little sister sits on me when we watch TV",
    "I got jumped on by my dog this morning",
    "he will hit me up later",
    "she would cut me off when I talk",
    "he mugged me off in front of everyone",
    "My mate jumped me in the queue for lunch",
    "my old carers locked the door at night for safety",
    # Near misses: somewhere to live.
    "I live on the street next to the park",
    "there's nowhere to go for young people in town",
    "we have nowhere to go on a friday night",
    "we slept in a tent on the camping trip",
    "I fell asleep in the car on the way home",
    "I got kicked out of the youth club for swearing",
    "I lost my flat keys",
    "we collected food for the homeless at Christmas",
    "my PA is helping me find somewhere to live",
]

# Accepted false alarms: each flags on purpose because the same words are how
# a child would tell us something serious.
ACCEPTED_FALSE_ALARMS: list[tuple[str, str]] = [
    ("my brother beat me at fifa", ABUSE),
    ("the ball hit me in the face at PE", ABUSE),
    ("my tooth is hurting me", ABUSE),
    ("your letter really touched me", SEXUAL_ABUSE),
    ("our dog ran away but came back", MISSING),
    ("I was killing myself laughing", SUICIDAL),
    ("the bike shed is not safe, someone stole my bike", UNSAFE),
    ("we watched Home Alone at movie night", NEGLECT),
    ("can you send pics from takeover day", EXPLOITATION),
    ("my little sister pinned me down and tickled me", ABUSE),
    ("i had a nightmare a man was following me", UNSAFE),
    ("my dad said he'll kill me if I fail my exams", ABUSE),
]


@pytest.mark.parametrize(("text", "reason"), MUST_FLAG)
def test_it_flags_words_that_suggest_a_child_is_at_risk_now(text: str, reason: str) -> None:
    result = assess(text)

    assert result.urgent, f"{text!r} read as {normalise(text)!r}"
    assert reason in result.reasons


@pytest.mark.parametrize("text", MUST_NOT_FLAG)
def test_it_leaves_ordinary_feedback_in_the_ordinary_queue(text: str) -> None:
    assert assess(text) == Assessment(urgent=False, reasons=[]), normalise(text)


@pytest.mark.parametrize(("text", "reason"), ACCEPTED_FALSE_ALARMS)
def test_it_accepts_some_false_alarms_rather_than_miss_a_disclosure(text: str, reason: str) -> None:
    assert reason in assess(text).reasons


@pytest.mark.parametrize(
    "text",
    [
        "i wanna kms",
        "gonna unalive myself 2nite",
        "i want 2 die",
        "i do sh again",
        "selfharm",
        "ctting",
        "i h8 my life i wanna d1e",
    ],
)
def test_it_flags_suicide_and_self_harm_in_text_speak(text: str) -> None:
    assert {SUICIDAL, SELF_HARM} & set(assess(text).reasons)


def test_every_phrase_in_the_rules_file_flags_its_own_reason() -> None:
    # Guards the first-letter shortcut in the matcher as much as the data.
    rules = tomllib.loads(RULES_PATH.read_text(encoding="utf-8"))
    for table in rules["reasons"].values():
        for phrase in table.get("phrases", []):
            assert table["label"] in assess(phrase).reasons, phrase
            assert table["label"] in assess(f"well... {phrase}!").reasons, phrase


def test_the_quick_matcher_agrees_with_trying_every_rule_at_every_word() -> None:
    # Guards the two-letter dispatch and the (?#here) anchors: both only skip
    # work, so they must never change an answer.
    rules = load_rules(RULES_PATH)
    slow = [
        (reason.label, re.compile(r"\b(?:" + "|".join(reason.branches) + ")"))
        for reason in rules.reasons
    ]
    texts = [text for text, _ in MUST_FLAG + ACCEPTED_FALSE_ALARMS] + MUST_NOT_FLAG
    ordinary = _long_ordinary_text()[:600]
    texts += [f"{ordinary} {text}. {ordinary}" for text in texts]
    texts.append(" and ".join(texts))

    for text in texts:
        normal = normalise(text)
        starts = [m.start() for m in re.finditer(r"\b\w", normal)]
        expected = [
            label for label, pattern in slow if any(pattern.match(normal, at) for at in starts)
        ]
        assert assess(text).reasons == list(dict.fromkeys(expected)), text[:200]


def test_an_empty_postcard_is_not_urgent() -> None:
    assert assess("") == Assessment(urgent=False, reasons=[])
    assert assess("   \n\t ") == Assessment(urgent=False, reasons=[])


def test_it_names_each_reason_once() -> None:
    result = assess("i want to die. I WANT TO DIE. kms. i wanna die")

    assert result.reasons == [SUICIDAL]


def test_it_lists_reasons_in_the_same_order_whatever_order_they_are_written() -> None:
    forwards = assess("he hits me and i want to die and i ran away")
    backwards = assess("i ran away and i want to die and he hits me")

    assert forwards.reasons == backwards.reasons == [SUICIDAL, ABUSE, MISSING]


def test_it_can_name_two_reasons_for_the_same_words() -> None:
    assert assess("he kicked me out").reasons == [ABUSE, UNSAFE]


@pytest.mark.parametrize(
    "text",
    [
        "\U0001f600\U0001f600\U0001f389",
        "The youth worker was \U0001f525\U0001f525",
        "Ich m\u00f6chte mehr Taschengeld",
        "\u6211\u5f88\u597d\uff0c\u8c22\u8c22",
        "\u0645\u0631\u062d\u0628\u0627 \u0634\u0643\u0631\u0627",
        "\u200b\u200d\u202e zero-width and text-direction characters",
        "\U0001f468\u200d\U0001f469\u200d\U0001f467 family emoji",
        "\x00\x07 control characters",
    ],
)
def test_emoji_and_other_languages_do_not_crash(text: str) -> None:
    assert assess(text) == Assessment(urgent=False, reasons=[])


def test_it_still_flags_when_emoji_sit_between_the_words() -> None:
    assert SUICIDAL in assess("i want\U0001f62d to\U0001f62d die\U0001f62d").reasons


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("HE HITSSS MEEEE", ABUSE),
        ("I WANNA DIEEEEE", SUICIDAL),
        ("i dont feeeeel saaafe", UNSAFE),
        ("Sélf hárm", SELF_HARM),
        ("\uff4b\uff4d\uff53", SUICIDAL),  # full-width letters, folded by NFKC
        ("k!ll myself", SUICIDAL),
    ],
)
def test_it_flags_despite_capitals_repeated_letters_accents_and_odd_characters(
    text: str, reason: str
) -> None:
    assert reason in assess(text).reasons


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I don\u2019t feel safe!!", "i do not fel safe"),
        ("I'm scared 2 go hme", "i am scared to go home"),
        ("gonna k1ll mys3lf", "going to kil myself"),
        ("b4 no1 noticed", "before no one noticed"),
        ("Hurtttt   me", "hurt me"),
        ("Caf\u00e9 na\u00efve", "cafe naive"),
        ("year 11, 2 days, 4 weeks", "year 11 to days for weks"),
    ],
)
def test_it_normalises_text_the_way_the_rules_file_describes(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_it_flags_a_risk_phrase_at_the_end_of_a_long_postcard() -> None:
    text = _long_ordinary_text() + " and he hits me"

    assert len(text) >= 5000
    assert assess(text).reasons == [ABUSE]


def test_a_long_ordinary_postcard_is_not_urgent() -> None:
    assert not assess(_long_ordinary_text()).urgent


def test_a_broken_rules_file_fails_loudly(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("[reasons.x]\nlabel = 'x'\nregexes = ['(unclosed']\n", encoding="utf-8")

    with pytest.raises(ValueError, match="unclosed"):
        load_rules(path)

    path.write_text("[reasons.x]\nphrases = ['kms']\n", encoding="utf-8")
    with pytest.raises(ValueError, match="label"):
        load_rules(path)


@pytest.mark.parametrize(
    ("regex", "problem"),
    [
        ("{nowhere} me", "unknown or looping fragment"),
        ("{loop} me", "unknown or looping fragment"),
        ("(?:he (?#here)hits) me", "outside any group"),
        ("he|she (?#here)hits me", "outside any group"),
        ("(?:\\w+ ){0,9}(?#here)hits me", "at most 8 words"),
        ("(?:\\w+ )*(?#here)hits me", "at most 8 words"),
        ("he hit(?#here)s me", "end with a space"),
    ],
)
def test_a_broken_fragment_or_anchor_fails_loudly(tmp_path: Path, regex: str, problem: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        f"[fragments]\nloop = '{{loop}}'\n[reasons.x]\nlabel = 'x'\nregexes = ['{regex}']\n",
        encoding="utf-8",
    )

    with pytest.raises(ValueError, match=re.escape(problem)):
        load_rules(path)


def test_an_anchored_rule_is_tried_from_the_words_before_its_anchor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        "[fragments]\nweapon = 'knife|gun'\n"
        "[reasons.x]\nlabel = 'weapon'\n"
        "regexes = ['\\b(?:he|she) (?:\\w+ ){0,2}(?:a )?(?#here){weapon}(?#end)\\b(?! and fork)']\n",
        encoding="utf-8",
    )
    rules = load_rules(path)
    monkeypatch.setattr(triage, "_rules", lambda: rules)

    assert assess("well he has a knife").reasons == ["weapon"]
    assert assess("and then she has got a gun!!").reasons == ["weapon"]
    assert assess("he has a knife and fork").reasons == []
    assert assess("he has got a big knife").reasons == []  # "big" is one word too many
    assert assess("the film had a gun").reasons == []


def _long_ordinary_text() -> str:
    sentence = (
        "My social worker is great and the wifi at the home is slow. "
        "I would like more pocket money and a trip to the seaside please. "
    )
    return (sentence * 60)[:5000]


@pytest.fixture
def plain_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The matcher as it runs where CPython's regex parser is missing or not as expected:
    every rule tried at every word (feedback.triage._quick_parser)."""
    monkeypatch.setattr(triage, "sre", None)
    monkeypatch.setattr(triage, "sre_parse", None)
    rules = load_rules(RULES_PATH)
    monkeypatch.setattr(triage, "_rules", lambda: rules)


def test_the_quick_path_runs_on_this_python() -> None:
    # The fast path's assumption holds here, so the tests above measured the quick matcher.
    assert triage.sre_parse is not None
    assert triage._rules().reasons_at[""] != tuple(range(len(triage._rules().reasons)))


def test_the_plain_path_gives_every_table_the_same_answers(plain_path: None) -> None:
    rules = triage._rules()
    # Nothing is keyed by its start: every reason is tried at every word.
    assert rules.reasons_at[""] == tuple(range(len(rules.reasons)))
    for text, reason in MUST_FLAG + ACCEPTED_FALSE_ALARMS:
        assert reason in assess(text).reasons, text
    for text in MUST_NOT_FLAG:
        assert assess(text) == Assessment(urgent=False, reasons=[]), text


def test_the_plain_path_agrees_with_trying_every_rule_at_every_word(plain_path: None) -> None:
    test_the_quick_matcher_agrees_with_trying_every_rule_at_every_word()


def test_the_plain_path_reads_anchored_rules_from_the_words_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plain_path: None
) -> None:
    test_an_anchored_rule_is_tried_from_the_words_before_its_anchor(tmp_path, monkeypatch)
