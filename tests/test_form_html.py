"""The Access pages' forms render their empty fields once a process: the same HTML Django renders, and a field
with a value or an error is rendered afresh."""

from django import forms

from accessctl.web.formhtml import CachedRenderForm

CHOICES = [("a", "A"), ("b", "B")]


class Cached(CachedRenderForm):
    role = forms.ChoiceField(choices=CHOICES, initial="a")
    q = forms.CharField(required=False, label="Search")


class Plain(forms.Form):
    role = forms.ChoiceField(choices=CHOICES, initial="a")
    q = forms.CharField(required=False, label="Search")


def test_empty_fields_render_as_django_renders_them_also_from_the_cache():
    for _ in range(2):
        for data in (None, {"other": "1"}, {"role": "b"}):
            ours, theirs = Cached(data, auto_id="x-%s"), Plain(data, auto_id="x-%s")
            for name in ("role", "q"):
                assert str(ours[name]) == str(theirs[name])
                assert ours[name].label_tag() == theirs[name].label_tag()
                assert str(ours[name].errors) == str(theirs[name].errors)
            assert str(ours.non_field_errors()) == str(theirs.non_field_errors()) == ""
    assert str(Cached(auto_id="x-%s")["role"].errors) == ""


def test_a_value_or_an_error_is_rendered_afresh():
    str(Cached(auto_id="x-%s")["q"])
    bound = Cached({"q": "hello", "role": "zzz"}, auto_id="x-%s")
    assert 'value="hello"' in str(bound["q"])
    assert 'aria-invalid="true"' in str(bound["role"])
    assert str(bound["role"].errors).startswith('<ul class="errorlist"')
    assert str(Cached(auto_id="y-%s")["q"]) == str(Plain(auto_id="y-%s")["q"])
