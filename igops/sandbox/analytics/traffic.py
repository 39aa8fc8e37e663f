"""The traffic model every figure starts from: a profile of funnel rates and order economics
per store or experience, and one simulated UTC day of its traffic, both seeded by identity so
the same range always gives the same counts. Everything else splits, sums or reads them."""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from typing import NamedTuple

DAY = 86_400
Counts = dict[str, float]


def _rng(*parts: object) -> random.Random:
    # hashlib rather than hash(): str hashes are salted per process.
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


@dataclass(frozen=True)
class _Profile:
    """Funnel rates and order economics of one store or experience."""

    daily_visitors: float
    sessions_per_visitor: float
    bounce: float
    view_collection: float
    view_product: float
    add_to_cart: float
    checkout_begin: float  # of visitors who added to cart
    contact_info: float  # of visitors who began checkout
    address_info: float  # of visitors who submitted contact info
    purchase: float  # of visitors who submitted an address
    orders_per_buyer: float
    order_value: float  # net product revenue per order
    order_cv: float  # coefficient of variation of a single order's value
    units_per_order: float
    free_shipping: float
    shipping_fee: float
    shipping_cost: float
    discounted: float
    discount_value: float
    margin: float
    tax_rate: float
    refund_rate: float
    subscription: float
    post_purchase: float
    post_purchase_value: float
    upsell: float
    upsell_value: float
    cogs_coverage: float
    median_ratio: float  # order values are right-skewed: the median sits below the mean
    repeat_rate: float  # share of buyers who order again after their in-test order
    repeat_orders: float  # orders per repeating buyer


def _profile(rng: random.Random, daily_visitors: tuple[float, float]) -> _Profile:
    u = rng.uniform
    # Page-view rates stay at or below 0.55 and segment multipliers within [0.8, 1.4], so a
    # segment's share of any funnel count stays below its share of visitors.
    return _Profile(
        daily_visitors=u(*daily_visitors),
        sessions_per_visitor=u(1.15, 1.45),
        bounce=u(0.3, 0.5),
        view_collection=u(0.25, 0.45),
        view_product=u(0.35, 0.55),
        add_to_cart=u(0.06, 0.14),
        checkout_begin=u(0.45, 0.65),
        contact_info=u(0.75, 0.9),
        address_info=u(0.8, 0.92),
        purchase=u(0.55, 0.8),
        orders_per_buyer=u(1.01, 1.06),
        order_value=u(35.0, 140.0),
        order_cv=u(0.7, 1.1),
        units_per_order=u(1.2, 2.4),
        free_shipping=u(0.3, 0.7),
        shipping_fee=u(4.0, 9.0),
        shipping_cost=u(5.0, 9.0),
        discounted=u(0.15, 0.45),
        discount_value=u(4.0, 15.0),
        margin=u(0.35, 0.6),
        tax_rate=u(0.05, 0.09),
        refund_rate=u(0.02, 0.06),
        subscription=u(0.0, 0.2),
        post_purchase=u(0.02, 0.08),
        post_purchase_value=u(10.0, 30.0),
        upsell=u(0.03, 0.1),
        upsell_value=u(8.0, 25.0),
        cogs_coverage=u(0.85, 1.0),
        median_ratio=u(0.8, 0.9),
        repeat_rate=u(0.12, 0.3),
        repeat_orders=u(1.1, 1.6),
    )


class _Lift(NamedTuple):
    """A variation's true effect, as multipliers on purchase rate and order value."""

    conversion: float = 1.0
    order_value: float = 1.0
    cart: float = 1.0  # on the add-to-cart rate (only sandbox markers set it)


_WEEKDAY_TRAFFIC = (1.0, 0.97, 0.95, 0.98, 1.04, 1.12, 1.09)  # Monday first


def _traffic_factor(day: int) -> float:
    return _WEEKDAY_TRAFFIC[(day + 3) % 7]  # day 0, 1970-01-01, was a Thursday


def _day_overlaps(start: int, end: int) -> list[tuple[int, float]]:
    """UTC day numbers touched by [start, end) with the fraction of each day covered."""
    if end <= start:
        return []
    return [
        (day, (min(end, (day + 1) * DAY) - max(start, day * DAY)) / DAY)
        for day in range(start // DAY, -(-end // DAY))
    ]


def _simulate_day(rng: random.Random, expected_visitors: float, profile: _Profile, lift: _Lift) -> Counts:
    gauss = rng.gauss

    def draw(n: float, p: float) -> float:
        # Normal approximation of a binomial draw, kept inside [0, n] so funnels stay ordered.
        return min(n, max(0.0, n * p + math.sqrt(n * p * (1 - p)) * gauss(0, 1)))

    visitors = max(0.0, expected_visitors + math.sqrt(expected_visitors) * gauss(0, 1))
    sessions = visitors * profile.sessions_per_visitor
    carted = draw(visitors, min(1.0, profile.add_to_cart * lift.cart))
    checkout = draw(carted, profile.checkout_begin)
    contact = draw(checkout, profile.contact_info)
    address = draw(contact, profile.address_info)
    buyers = draw(address, min(1.0, profile.purchase * lift.conversion))
    orders = min(visitors, buyers * profile.orders_per_buyer)
    # The day's mean order value: log-normal, since order values are positive and right-skewed.
    spread = math.sqrt(math.log(1 + profile.order_cv**2 / max(orders, 1.0)))
    noise = math.exp(spread * gauss(0, 1) - spread**2 / 2)
    product_revenue = orders * profile.order_value * lift.order_value * noise
    free = draw(orders, profile.free_shipping)
    shipping_revenue = (orders - free) * profile.shipping_fee
    net_revenue = product_revenue + shipping_revenue
    discounted = draw(orders, profile.discounted)
    discount = discounted * profile.discount_value
    cogs = product_revenue * (1 - profile.margin)
    shipping_cost = orders * profile.shipping_cost
    fees = net_revenue * 0.029 + orders * 0.30
    gross_profit = net_revenue - cogs - shipping_cost - fees
    lost = net_revenue * profile.refund_rate
    subscriptions = draw(orders, profile.subscription)
    subscription_share = subscriptions / orders if orders else 0.0
    post_purchase = draw(orders, profile.post_purchase)
    upsells = draw(orders, profile.upsell)
    return {
        "n_visitors": visitors,
        "n_sessions": sessions,
        "n_bounced_sessions": draw(sessions, profile.bounce),
        "n_visitors_viewed_collection_page": draw(visitors, profile.view_collection),
        "n_visitors_viewed_product_page": draw(visitors, profile.view_product),
        "n_visitors_added_to_cart": carted,
        "n_visitors_checkout_started": checkout,
        "n_visitors_checkout_contact_info_submitted": contact,
        "n_visitors_checkout_address_info_submitted": address,
        "n_visitors_ordered": buyers,
        "n_orders": orders,
        "net_product_revenue": product_revenue,
        "net_shipping_revenue": shipping_revenue,
        "net_revenue": net_revenue,
        "gross_revenue": net_revenue + discount + lost,
        "revenue_before_discounts": net_revenue + discount,
        "lost_net_revenue": lost,
        "lost_orders": orders * profile.refund_rate,
        "total_units": orders * profile.units_per_order,
        "n_orders_free_shipping": free,
        "n_orders_discounted": discounted,
        "total_discount": discount,
        "order_cogs": cogs,
        "shipping_cost": shipping_cost,
        "transaction_fees": fees,
        "cost_of_revenue": cogs + shipping_cost + fees,
        "tax": net_revenue * profile.tax_rate,
        "gross_profit": gross_profit,
        "oli_net_product_revenue_with_cogs": product_revenue * profile.cogs_coverage,
        "n_subscription_orders": subscriptions,
        "subscription_revenue": net_revenue * subscription_share,
        "subscription_product_revenue": product_revenue * subscription_share,
        "subscription_gross_profit": gross_profit * subscription_share,
        "n_orders_post_purchase_offer": post_purchase,
        "net_revenue_from_post_purchase_offer": post_purchase * profile.post_purchase_value,
        "n_orders_upsell": upsells,
        "net_revenue_from_upsell": upsells * profile.upsell_value,
    }


def _empty(profile: _Profile) -> Counts:
    """Every count at zero: a day without visitors."""
    return _simulate_day(random.Random(0), 0.0, profile, _Lift())


def _part(counts: Counts, fraction: float) -> Counts:
    # A part of a day is that share of the whole day, so adjacent ranges add up exactly.
    return {key: value * fraction for key, value in counts.items()}


def _add(first: Counts, *others: Counts) -> Counts:
    return {key: value + sum(o[key] for o in others) for key, value in first.items()}


# Counts bounded by the number of visitors; segment splitting must keep them so.
_VISITOR_SCOPED = (
    "n_visitors_viewed_collection_page",
    "n_visitors_viewed_product_page",
    "n_visitors_added_to_cart",
    "n_orders",
)
_TRAFFIC_FIELDS = ("n_visitors", "n_sessions", "n_bounced_sessions")
