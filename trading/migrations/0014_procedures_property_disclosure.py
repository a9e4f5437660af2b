"""Property transfers decide 协议 or 竞价 when the disclosure closes (32号令 第18、22条).

The two property procedures chosen up front (`listing-agreement`, `listing-auction`) become one,
`transfer`, of the property-disclosure family; their tenders move to it and their lots to the
state of the new table that means the same thing:

- a 协议 lot at its "opening" (the disclosure had closed) waits for staff to record the qualified
  transferees (LISTING_CLOSED);
- a 协议 lot "in evaluation" or "in negotiation" (the agreement being negotiated) is in
  AGREEMENT;
- every other state (bidding, auction, publicity, the award and after, the ends) is unchanged.

Land listings become the `listing` family (decided at the close, 39号令 第20条) and engineering
prequalification the `prequalified` family; their lots keep their states, which the new tables
share. Reference seeding (`reference_data_seed`) keeps the names and flags current afterwards.
"""

from django.db import migrations

OLD_PROPERTY = ("listing-agreement", "listing-auction")
# Lot states of the old negotiated (sealed-bid) table renamed in the disclosure table.
NEGOTIATED_STATES = {
    "opening": "listing_closed",
    "evaluation": "agreement",
    "negotiation": "agreement",
}


def forwards(apps, schema_editor):
    Procedure = apps.get_model("trading", "Procedure")
    Tender = apps.get_model("trading", "Tender")
    Lot = apps.get_model("trading", "Lot")
    TimelineRule = apps.get_model("trading", "TimelineRule")
    Procedure.objects.filter(business_type__code="land", code="listing").update(family="listing")
    Procedure.objects.filter(business_type__code="engineering", code="open-prequal").update(
        family="prequalified"
    )
    old = list(Procedure.objects.filter(business_type__code="property", code__in=OLD_PROPERTY))
    if not old:
        return
    transfer, _ = Procedure.objects.get_or_create(
        business_type=old[0].business_type,
        code="transfer",
        defaults={
            "name": "产权转让（信息披露，期满确定协议或竞价）",
            "name_en": "Transfer by disclosure (agreement or bidding decided at the close)",
            "family": "property_disclosure",
            "listing": True,
            "live_auction": True,
            "bidder_list_secret": False,
            "min_bids": 1,
            "sort_order": min(p.sort_order for p in old),
        },
    )
    for procedure in old:
        tenders = Tender.objects.filter(procedure=procedure)
        if procedure.code == "listing-agreement":
            for before, after in NEGOTIATED_STATES.items():
                Lot.objects.filter(tender__in=tenders, status=before).update(status=after)
        tenders.update(procedure=transfer)
    for rule in TimelineRule.objects.filter(business_type__code="property"):
        codes = list(rule.procedure_codes or [])
        if any(code in OLD_PROPERTY for code in codes):
            renamed = [code for code in codes if code not in OLD_PROPERTY]
            rule.procedure_codes = [*renamed, "transfer"] if "transfer" not in renamed else renamed
            rule.save(update_fields=["procedure_codes"])
    Procedure.objects.filter(pk__in=[p.pk for p in old]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("trading", "0013_procedures_lot_states"),
    ]

    # Moving tenders off the old procedures cannot be undone without knowing each one's choice.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
