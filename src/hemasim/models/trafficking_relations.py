"""The relations of the HSPC trafficking pathway, shared by the whole-animal model and the
in-vitro chemotaxis model (one biology, two settings).

Each function returns the text of an expression (the model declaration language) so both
models compile the same relation. Levels are relative: 1 is the wild-type resting level.

The pathway (Adamiak et al. 2017; Wysoczynski et al. 2015; Ratajczak et al. 2010)::

    iNOS activity --> NO --> HO-1 protein --| chemotaxis (toward SDF-1 and S1P)
                                        --| complement activation
                                        --| protease degradation of marrow SDF-1
    complement activation --> iNOS (Adamiak 2017 introduction)

* NO comes from iNOS and from the constitutive isoforms (eNOS, nNOS); iNOS makes most of it
  (Adamiak 2017 introduction) and a NOS inhibitor blocks its share of each.
* HO-1 is induced by NO (Durante 1997; Motterlini 1996) and by NO-independent stimuli
  (heme, oxidative stress); its protein turns over in hours; SnPP blocks its activity.
* HO-1 damps responses only above rest: HO-1-/- mice have normal blood counts and normal
  circulating CFU-GM at steady state but mobilize more (ASH 2011 abstract 315). So every
  HO-1 brake multiplies the *stimulated* part of a response, never the resting part.
"""

from __future__ import annotations


def nitric_oxide(inos: str, stimulation: str, inhibition: str) -> str:
    """NO production relative to rest.

    Args:
        inos: iNOS expression (1 wild type, 0 knocked out, 3 over-expressed).
        stimulation: iNOS induction, 1 at rest (complement activation raises it).
        inhibition: fraction of NOS activity blocked by an inhibitor (0 to 1).
    """
    return (f"(1 - ({inhibition})) * ((1 - nos_constitutive_share) * ({inos}) * ({stimulation})"
            f" + nos_constitutive_share)")


def ho1_induction(ho1: str, no: str) -> str:
    """Steady HO-1 protein level for an NO level (relative; 1 in wild type at rest).

    Args:
        ho1: HO-1 gene dose (1 wild type, 0 knocked out).
        no: NO production relative to rest (``nitric_oxide``).
    """
    return f"({ho1}) * (ho1_no_independent_share + (1 - ho1_no_independent_share) * ({no}))"


def ho1_brake(ho1_activity: str, damping: str) -> str:
    """Multiplier of a stimulated response by HO-1 activity: 1 at wild-type rest, rising to
    ``1 + damping`` when HO-1 is absent and falling when HO-1 is induced.

    Args:
        ho1_activity: HO-1 activity relative to wild-type rest (protein times the fraction
            not blocked by SnPP).
        damping: name of the parameter setting how strongly HO-1 damps the response.
    """
    return f"((1 + {damping}) / (1 + {damping} * ({ho1_activity})))"


def chemotactic_balance(independent: str, responsiveness: str, toward: str,
                        against: str) -> str:
    """Movement between two places as a balance of chemotactic pulls, 1 at rest.

    ``(b + r * toward) / (b + r * against)``: ``toward`` is the pull to the destination,
    ``against`` the hold of the origin (both 1 at rest), ``r`` the cells' chemotactic
    responsiveness and ``b`` the share of movement that no chemokine governs (adhesion
    molecules, VLA-4/VCAM-1). Because both pulls scale with ``r``, a change of responsiveness
    alone (an HO-1 or iNOS knockout) leaves the resting traffic unchanged; it amplifies the
    traffic once the pulls are unbalanced (mobilization, an injured marrow).
    """
    return (f"(({independent}) + ({responsiveness}) * ({toward}))"
            f" / (({independent}) + ({responsiveness}) * ({against}))")


def occupancy(concentration: str, half_maximal: str) -> str:
    """Fraction of a target occupied by a drug at ``concentration`` (Emax model, Hill 1)."""
    return f"({concentration}) / (({concentration}) + {half_maximal})"


def smooth_excess(raw: str) -> str:
    """``raw`` above zero, smoothly floored near zero (exactly 0 when ``raw`` is 0).

    ``(raw + sqrt(raw**2 + s**2)) / 2 - s / 2`` with s = 0.1: within 0.05 of ``raw`` above
    zero, between -0.05 and 0 below it, 0 at rest (so the steady state is exact) and free of
    overflow. The bend is kept wide (s = 0.1, not smaller) so that Newton's method converges
    on steady states near rest. Used where a signal below rest has no meaning (complement is
    not activated below its resting level by fewer neutrophils).
    """
    return f"((({raw}) + sqrt(({raw})**2 + 0.01)) / 2 - 0.05)"
