from django import forms

from .models import Client
from .services import EDITABLE_FIELDS


class ClientForm(forms.ModelForm[Client]):
    class Meta:
        model = Client
        fields = EDITABLE_FIELDS
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
