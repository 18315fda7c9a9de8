"""``{% can "apps.lock_app" app as can_lock %}``: templates ask the permission backend, never compare roles."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, perm, obj):
    """Does the signed-in user hold ``perm`` on ``obj``? Uses the per-request facts: no queries after the first."""
    user = context["request"].user
    return user.is_authenticated and user.has_perm(perm, obj)


@register.filter
def idp_mfa(amr):
    """The IdP-level MFA status read from an ID token's ``amr`` claim."""
    from accessctl.identity import idp_mfa_status

    return idp_mfa_status(amr)
