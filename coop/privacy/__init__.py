"""Personal data across the domains: the export a person may ask for, anonymising
former members after the retention term. A composer: it reads every domain that keeps
personal data, and nothing below it names it."""
