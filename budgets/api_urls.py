"""The app's API routes, included under /api/v1/ by the project's urls."""

from django.urls import path

from . import api

urlpatterns = [
    path("clients/<int:pk>/budgets/", api.ClientBudgetsView.as_view(), name="api-client-budgets"),
    path("budgets/<int:pk>/", api.BudgetDetailView.as_view(), name="api-budget-detail"),
    path("budgets/<int:pk>/decision/", api.BudgetDecisionView.as_view(), name="api-budget-decision"),
    path("budgets/<int:pk>/calculation/", api.BudgetCalculationView.as_view(), name="api-budget-calculation"),
    path("budgets/<int:pk>/lines/", api.BudgetLinesView.as_view(), name="api-budget-lines"),
    path(
        "budgets/<int:pk>/reallocations/",
        api.BudgetReallocationsView.as_view(),
        name="api-budget-reallocations",
    ),
    path("budget-lines/<int:pk>/", api.BudgetLineView.as_view(), name="api-budget-line"),
    path("budget-lines/<int:pk>/spending/", api.LineSpendingView.as_view(), name="api-budget-line-spending"),
    path("providers/", api.ProvidersView.as_view(), name="api-providers"),
    path("service-types/", api.ServiceTypesView.as_view(), name="api-service-types"),
]
