"""Volunteers: initiatives and their coordinators, hours, allowances within the
Belastingdienst caps (vrijwilligersregeling) and other appreciation (verstrekkingen)."""
