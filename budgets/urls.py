from django.urls import path

from . import views

urlpatterns = [
    path("clients/<int:pk>/budgets/", views.client_budgets, name="client-budgets"),
    path("budgets/<int:pk>/", views.budget_detail, name="budget-detail"),
    path("budgets/<int:pk>/decision/", views.budget_decision, name="budget-decision"),
    path("budgets/<int:pk>/calculation/", views.budget_calculation, name="budget-calculation"),
    path("budgets/<int:pk>/spending/", views.budget_spending, name="budget-spending"),
    path("budgets/<int:pk>/reallocations/", views.budget_reallocation, name="budget-reallocation"),
    path("budgets/<int:pk>/ledger.csv", views.budget_ledger_csv, name="budget-ledger-csv"),
    path("budget-lines/<int:pk>/provider/", views.budget_line_provider, name="budget-line-provider"),
]
