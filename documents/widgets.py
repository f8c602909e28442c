"""The recipient picker of outgoing documents (issue 14: "the recipient picker … is an 80-row
Ctrl-click list").

A list of checkboxes, grouped (this portal's agencies, external organs), inside a fieldset: it works
without JavaScript as a plain list. ``static/js/recipient-picker.js`` adds a search box that filters
the list as one types (without diacritics: "muong thanh" finds "Mường Thanh", codes too) and a
summary of the chosen recipients, each with a button that removes it. No inline script (the CSP
forbids it); every control is a native one, so the keyboard works as everywhere else.
"""

from __future__ import annotations

from django import forms


class RecipientPicker(forms.widgets.ChoiceWidget):
    allow_multiple_selected = True
    input_type = "checkbox"
    template_name = "documents/widgets/recipient_picker.html"
    option_template_name = "django/forms/widgets/checkbox_option.html"
    add_id_index = True
    checked_attribute = {"checked": True}
    option_inherits_attrs = True
    use_fieldset = True

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        # The legend of the fieldset names the group; no label points at one box.
        return "" if index is None else super().id_for_label(id_, index)

    def use_required_attribute(self, initial) -> bool:
        return False  # "at least one" is not what a required checkbox means

    def value_omitted_from_data(self, data, files, name) -> bool:
        return False  # an unchecked list sends nothing: that is an empty choice
