"""Personal budgets (henkilökohtainen budjetti): models come with the budgets issue."""
