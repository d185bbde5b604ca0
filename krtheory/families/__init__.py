"""The families: one :class:`~krtheory.families.base.AbstractFamily` per ``--family`` value in the
registry :data:`~krtheory.families.registry.FAMILIES` (diagonal, explicit, wide, custom, l1, l2),
and the modules each builds from: derivation, link, flow-side model or reference."""
