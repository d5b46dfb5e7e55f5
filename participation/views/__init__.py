"""The council's pages, the moderation queue, actions, meetings and the public board: one
module per family of pages (participation/urls.py names each view by its module).

Each view: gate (participation.access), form, service, redirect. A service's refusal
(portal.refusals.Refused) shows beside the field it names, or as a message.
"""
