"""The segment part of every report bar: pick a saved segment, save the filters shown as one, manage it.

Picking a segment writes `segment=ID` into the URL (dashboard/controls.py
does, with the other controls) so the link can be shared; the filter chips
then show the segment's filters. Saving and managing are one callback per
page, registered with the page's controls (`register_segment_actions`): it
checks again on the server who is signed in, that the account sees the
site, and (warehouse.segments) that it owns the segment or is an admin.
A shared link's visitor may pick shared segments but never save or change one.
"""
from urllib.parse import parse_qs

from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from flask import current_app

from vigie.analytics.segments import change_segment, save_segment
from vigie.dashboard.auth import signed_in_user
from vigie.dashboard.selection import SelectionError, applied, segment_reader, selection_from_query
from vigie.warehouse import StoreError
from vigie.warehouse.segments import (MAX_NAME_LENGTH, SegmentError, VISIBILITIES, delete_segment,
                                      find_segment, site_segments)
from vigie.warehouse.sites import get_site

_HIDDEN = {"display": "none"}
_SHOWN = {}
STORE_DOWN = "Vigie cannot reach its database right now; try again in a moment."
SIGNED_OUT = "Sign in with your own account to save or change segments."
NOTHING_TO_SAVE = ("There is no filter to save yet: click a row of a table to filter the report, "
                   "then save the filters as a segment.")
VISIBILITY_LABELS = {"private": "Only me", "shared": "Everyone who sees this site"}


def segment_options(segments):
    return [{"label": s.name + (" (shared)" if s.shared else ""), "value": s.segment_id} for s in segments]


def _status(text, kind="ok"):
    return html.P(text, className=f"message message-{kind}")


def segment_controls(page, selection, segments, user):
    """The picker, then a fold with 'Save current filters as segment' and the shown segment's tools."""
    may_save = user is not None and not user.read_only
    shown = next((s for s in segments if s.segment_id == selection.segment), None)
    manageable = may_save and shown is not None and shown.manageable_by(segment_reader(user))
    manage = html.Div(id=f"{page}-segment-manage", className="segment-manage",
                      style=_SHOWN if manageable else _HIDDEN, children=[
        html.Span(f"Segment “{shown.name}”" if shown else "", className="segment-manage-title"),
        dcc.Input(id=f"{page}-segment-rename", value=shown.name if shown else "", maxLength=MAX_NAME_LENGTH,
                  debounce=True, className="segment-name", placeholder="New name"),
        html.Button("Rename", id=f"{page}-segment-rename-button", className="button-quiet", n_clicks=0),
        html.Button("Make private" if shown is not None and shown.shared else "Share with the site's users",
                    id=f"{page}-segment-share", className="button-quiet", n_clicks=0),
        html.Button("Delete", id=f"{page}-segment-delete", className="button-quiet button-danger",
                    n_clicks=0),
    ])
    save = html.Div(className="segment-save", children=[
        dcc.Input(id=f"{page}-segment-name", placeholder="Segment name, e.g. Mobile visitors from search",
                  maxLength=MAX_NAME_LENGTH, className="segment-name", debounce=False),
        dcc.RadioItems(id=f"{page}-segment-visibility", inline=True, value="private",
                       options=[{"label": VISIBILITY_LABELS[v], "value": v} for v in VISIBILITIES]),
        html.Button("Save current filters as segment", id=f"{page}-segment-save", className="button",
                    n_clicks=0),
    ])
    return html.Div(className="segment-bar", children=[
        dcc.Dropdown(id=f"{page}-segment", options=segment_options(segments),
                     value=selection.segment or None, clearable=True, searchable=True,
                     className="segment-select", placeholder="Segment: all visits"),
        html.Details(className="segment-tools", style=_SHOWN if may_save else _HIDDEN, children=[
            html.Summary("Segments…"), save, manage]),
        html.Div(id=f"{page}-segment-status", role="status"),
    ])


def _act(trigger, store, user, selection, name, visibility, new_name):
    """(new URL search or no_update, status text) for one button of the segment tools."""
    if trigger.endswith("-segment-save"):
        filters = applied(store, selection, user).filter_dict()
        if not filters:
            raise SegmentError(NOTHING_TO_SAVE)
        segment = save_segment(store, selection.site, user.email, name, filters, visibility)
        return selection.with_segment(segment.segment_id).search(), f"Saved the segment “{segment.name}”."
    reader = segment_reader(user)
    if trigger.endswith("-segment-delete"):
        segment = delete_segment(store, selection.site, selection.segment, reader)
        return selection.with_segment("").search(), f"Deleted the segment “{segment.name}”."
    if trigger.endswith("-segment-share"):
        # A segment gone meanwhile (or none in the URL) is refused by change_segment, by name.
        found = find_segment(store, selection.site, selection.segment, reader)
        segment = change_segment(store, selection.site, selection.segment, reader,
                                 visibility="private" if found is not None and found.shared else "shared")
        return no_update, (f"“{segment.name}” is now shared with the site's users." if segment.shared
                           else f"“{segment.name}” is now yours only.")
    segment = change_segment(store, selection.site, selection.segment, reader, name=new_name)
    return no_update, f"Renamed the segment “{segment.name}”."


def register_segment_actions(page):
    """Register the callback behind the save, rename, share and delete buttons of `page`."""
    @callback(
        Output(f"{page}-url", "search", allow_duplicate=True),
        Output(f"{page}-segment-status", "children"),
        Output(f"{page}-segment", "options"),
        Input(f"{page}-segment-save", "n_clicks"),
        Input(f"{page}-segment-rename-button", "n_clicks"),
        Input(f"{page}-segment-share", "n_clicks"),
        Input(f"{page}-segment-delete", "n_clicks"),
        State(f"{page}-segment-name", "value"),
        State(f"{page}-segment-visibility", "value"),
        State(f"{page}-segment-rename", "value"),
        State(f"{page}-url", "search"),
        prevent_initial_call=True,
    )
    def segment_action(_save, _rename, _share, _delete, name, visibility, new_name, search):
        if not ctx.triggered_id:
            return no_update, no_update, no_update
        store = current_app.extensions["vigie"].store
        try:
            user = signed_in_user(store)
            if user is None or user.read_only or not user.can("analytics"):
                return no_update, _status(SIGNED_OUT, "error"), no_update
            selection = selection_from_query(parse_qs((search or "").lstrip("?")))
            if not user.can_see_site(selection.site) or get_site(store, selection.site) is None:
                return no_update, _status("Choose one of your sites first.", "error"), no_update
            new_search, text = _act(ctx.triggered_id, store, user, selection, name, visibility, new_name)
            options = segment_options(site_segments(store, selection.site, segment_reader(user)))
        except (SegmentError, SelectionError) as exc:
            return no_update, _status(str(exc), "error"), no_update
        except StoreError:
            return no_update, _status(STORE_DOWN, "error"), no_update
        return new_search, _status(text), options
    segment_action.__name__ = f"{page}_segment_action"
    return segment_action
