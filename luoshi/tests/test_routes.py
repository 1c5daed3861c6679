"""Who may use which route: every URL pattern (a walk of Django's resolver) and every API
operation (the OpenAPI schema), each classified in ROUTES below with the status each demo persona
and an anonymous caller gets for a GET. A route that is not in the table fails the first test,
so a new route cannot be added without deciding who may use it; a route whose answers change
fails the second.

Pages are asked with GET only (a page that takes only POST answers 405 to everyone — except a
task page's action forms, whose GET goes back to the task page, 302, or 404 outside scope; it is
classified all the same); an API operation is called with its own method and an empty JSON body,
inside a transaction that is rolled back. Path parameters are filled with the id of an existing object of the
kind the path names (a task for `tasks/<pk>/`, a unit for `{unit_id}`), or 1 where the test
world has none — then the route's 404 is what is classified.

ROUTES maps "page <pattern>" or "api <METHOD> <path>" to nine statuses, in the order of PERSONAS
and then the anonymous caller. Shorthands: PUBLIC (everyone 200), LOGIN (every persona 200,
anonymous redirected to the login page), POST_ONLY (405 for all, anonymous 302 to the login page).
A failing run prints the observed line of every route it could not match, to paste after checking
that it is what should happen (LUOSHI_ROUTES_DUMP=file writes every route's line to the file).
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from luoshi.api.api import api
from luoshi.testing import World, issued_task

PERSONAS = ("office", "liaison", "staff", "leader", "outsider", "sysadmin", "secadmin", "auditor")
PUBLIC = "200 200 200 200 200 200 200 200 200"
LOGIN = "200 200 200 200 200 200 200 200 302"
POST_ONLY = "405 405 405 405 405 405 405 405 302"

# Not the platform's own routes: Django's admin site (staff accounts only, its own checks) and
# the language switch (Django's).
EXCLUDED_PREFIXES = ("django-admin/", "i18n/", "api/")

ROUTES: dict[str, str] = {}  # filled below from ROUTE_TABLE

ROUTE_TABLE = """
page  = 302 302 302 302 302 302 302 302 302
page accountability/ = LOGIN
page accountability-kinds/ = 200 403 403 403 403 403 403 403 302
page accountability-kinds/<int:pk>/edit/ = 200 403 403 403 403 403 403 403 302
page accountability-kinds/<int:pk>/toggle/ = POST_ONLY
page accountability-kinds/new/ = 200 403 403 403 403 403 403 403 302
page accounts/first-steps/dismiss/ = POST_ONLY
page accounts/lockouts/ = 404 404 404 404 404 404 200 404 302
page accounts/lockouts/release/ = POST_ONLY
page accounts/login/ = 302 302 302 302 302 302 302 302 200
page accounts/logout/ = 405 405 405 405 405 405 405 405 405
page accounts/mfa/ = LOGIN
page accounts/mfa/people/<int:pk>/reset/ = POST_ONLY
page accounts/mfa/policy/ = 403 403 403 403 403 403 200 403 302
page accounts/mfa/policy/units/ = POST_ONLY
page accounts/mfa/policy/units/<int:pk>/release/ = POST_ONLY
page accounts/mfa/recovery-codes/ = 302 302 302 302 302 302 302 302 302
page accounts/mfa/remove/ = POST_ONLY
page accounts/mfa/verify/ = 302 302 302 302 302 302 302 302 302
page accounts/notifications/ = LOGIN
page accounts/notifications/<int:pk>/read/ = POST_ONLY
page accounts/notifications/read-all/ = POST_ONLY
page accounts/password/ = LOGIN
page accounts/people/<int:pk>/security/ = 404 404 404 404 404 404 200 404 302
page accounts/people/<int:pk>/sessions/end/ = POST_ONLY
page accounts/people/<int:pk>/tokens/<int:token_pk>/revoke/ = POST_ONLY
page accounts/profile/ = LOGIN
page accounts/sessions/ = LOGIN
page accounts/sessions/<int:pk>/end/ = POST_ONLY
page accounts/tokens/<int:pk>/revoke/ = POST_ONLY
page accounts/tokens/new/ = POST_ONLY
page assessment/ = 200 200 403 200 200 403 403 403 302
page assessment/appeals/<int:pk>/answer/ = 404 404 404 404 404 404 404 404 302
page assessment/cases/ = LOGIN
page assessment/cases/<int:pk>/ = 404 404 404 404 404 404 404 404 302
page assessment/cases/<int:pk>/pin/ = POST_ONLY
page assessment/cases/<int:pk>/review/ = POST_ONLY
page assessment/cases/new/ = 200 200 403 403 200 403 403 403 302
page assessment/dashboard/ = 200 200 403 200 200 403 403 403 302
page assessment/indicators/ = 200 200 403 200 200 403 403 403 302
page assessment/indicators/<int:pk>/edit/ = 404 404 404 404 404 404 404 404 302
page assessment/indicators/new/ = 200 403 403 403 403 403 403 403 302
page assessment/mine/ = LOGIN
page assessment/people/<int:pk>/ = 404 404 404 404 404 404 404 404 302
page assessment/items/<int:pk>/ = 404 404 404 404 404 404 404 404 302
page assessment/items/<int:pk>/adjust/ = 404 404 404 404 404 404 404 404 302
page assessment/notices/ = LOGIN
page assessment/notices/<int:pk>/ = 404 404 404 404 404 404 404 404 302
page assessment/notices/<int:pk>/document.docx = 404 404 404 404 404 404 404 404 302
page assessment/notices/<int:pk>/issue/ = POST_ONLY
page assessment/notices/new/ = 200 403 403 403 403 403 403 403 302
page assessment/plans/<int:pk>/ = 404 404 404 404 404 404 404 404 302
page assessment/plans/<int:pk>/appeals/ = 404 404 404 404 404 404 404 404 302
page assessment/plans/<int:pk>/categories/<int:category_pk>/edit/ = 404 404 404 404 404 404 404 404 302
page assessment/plans/<int:pk>/categories/new/ = 404 404 404 404 404 404 404 404 302
page assessment/plans/<int:pk>/copy/ = POST_ONLY
page assessment/plans/<int:pk>/move/<slug:move>/ = POST_ONLY
page assessment/plans/<int:pk>/people/ = 404 404 404 404 404 404 404 404 302
page assessment/plans/<int:pk>/progress/ = 404 404 404 404 404 404 404 404 302
page assessment/plans/<int:pk>/publicity/ = 404 404 404 404 404 404 404 404 302
page assessment/plans/<int:pk>/result.docx = 404 404 404 404 404 404 404 404 302
page assessment/plans/<int:pk>/run/ = POST_ONLY
page assessment/plans/<int:pk>/scores/ = 404 404 404 404 404 404 404 404 302
page assessment/plans/new/ = 200 403 403 403 403 403 403 403 302
page assessment/scores/<int:pk>/ = 404 404 404 404 404 404 404 404 302
page assessment/scores/<int:pk>/<slug:step>/ = POST_ONLY
page audit/ = 404 404 404 404 404 404 404 200 302
page audit/<int:pk>/ = 404 404 404 404 404 404 404 200 302
page audit/export/ = 404 404 404 404 404 404 404 200 302
page campaigns/ = LOGIN
page campaigns/<int:pk>/ = 200 200 404 200 404 404 404 404 302
page campaigns/<int:pk>/edit/ = 200 403 404 403 404 404 404 404 302
page campaigns/<int:pk>/leading-group/ = 200 403 404 403 404 404 404 404 302
page campaigns/<int:pk>/overview/ = 200 200 404 200 404 404 404 404 302
page campaigns/<int:pk>/tasks/new/ = 200 403 404 403 404 404 404 404 302
page campaigns/<int:pk>/tracks/add/ = 200 403 404 403 404 404 404 404 302
page campaigns/new/ = 200 403 403 403 403 403 403 403 302
page files/<int:pk>/ = 404 404 404 404 404 404 404 404 302
page healthz = PUBLIC
page heritage/ = 200 200 200 200 200 404 404 404 302
page heritage/counts/ = 200 200 200 200 200 404 404 404 302
page heritage/exhibitions/ = 200 200 200 200 200 404 404 404 302
page heritage/exhibitions/<int:pk>/ = 404 404 404 404 404 404 404 404 302
page heritage/exhibitions/<int:pk>/edit/ = 404 403 403 403 403 404 404 404 302
page heritage/exhibitions/new/ = 200 403 403 403 403 403 403 403 302
page heritage/routes/ = 200 200 200 200 200 404 404 404 302
page heritage/routes/<int:pk>/ = 404 404 404 404 404 404 404 404 302
page heritage/routes/<int:pk>/edit/ = 404 403 403 403 403 404 404 404 302
page heritage/routes/new/ = 200 403 403 403 403 403 403 403 302
page heritage/sites/<int:pk>/ = 404 404 404 404 404 404 404 404 302
page heritage/sites/<int:pk>/edit/ = 404 403 403 403 403 404 404 404 302
page heritage/sites/new/ = 200 403 403 403 403 403 403 403 302
page holidays/ = 200 403 403 403 403 403 403 403 302
page holidays/<int:year>/ = 200 403 403 403 403 403 403 403 302
page learning/imports/ = 200 200 403 200 200 403 403 403 302
page learning/imports/<int:pk>/ = 404 404 404 404 404 404 404 404 302
page learning/imports/<int:pk>/confirm/ = POST_ONLY
page learning/imports/<int:pk>/discard/ = POST_ONLY
page learning/imports/<int:pk>/file/ = 404 404 404 404 404 404 404 404 302
page learning/imports/<int:pk>/mapping/ = POST_ONLY
page learning/imports/<int:pk>/organisation/ = POST_ONLY
page learning/imports/<int:pk>/rows/<int:row_pk>/ = POST_ONLY
page learning/imports/<int:pk>/undo/ = POST_ONLY
page learning/imports/upload/ = 200 200 403 403 200 403 403 403 302
page learning/imports/organisations/ = 200 200 403 403 200 403 403 403 302
page learning/me/ = LOGIN
page learning/notices/ = LOGIN
page learning/notices/<int:pk>/ = 404 404 404 404 404 404 404 404 302
page learning/notices/<int:pk>/current/ = 404 404 404 404 404 404 404 404 302
page learning/notices/<int:pk>/document.docx = 404 404 404 404 404 404 404 404 302
page learning/notices/new/ = 200 403 403 403 403 403 403 403 302
page learning/notices/template/ = 200 403 403 403 403 403 403 403 302
page learning/ranking/ = 200 200 403 200 200 403 403 403 302
page learning/settings/ = 200 403 403 403 403 403 403 403 302
page learning/summary/ = 200 200 302 200 200 403 403 403 302
page learning/summary/units/<int:pk>/ = 404 404 404 404 404 404 404 404 302
page ledgers/ = 200 200 200 200 200 403 403 403 302
page ledgers/activities/ = 200 200 200 200 200 403 403 403 302
page ledgers/activities/<int:pk>/ = 404 404 404 404 404 404 404 404 302
page ledgers/activities/<int:pk>/delete/ = POST_ONLY
page ledgers/activities/<int:pk>/edit/ = 404 404 404 404 404 404 404 404 302
page ledgers/activities/<int:pk>/participants/ = POST_ONLY
page ledgers/activities/<int:pk>/restore/ = POST_ONLY
page ledgers/activities/import/ = 200 200 200 403 200 403 403 403 302
page ledgers/activities/new/ = 200 200 200 403 200 403 403 403 302
page ledgers/checkin/ = LOGIN
page ledgers/people/ = 200 200 200 200 200 403 403 403 302
page ledgers/types/ = 200 403 403 403 403 403 403 403 302
page ledgers/types/<int:pk>/edit/ = 404 404 404 404 404 404 404 404 302
page ledgers/types/<int:pk>/template.xlsx = 404 404 404 403 404 403 403 403 302
page ledgers/types/new/ = 200 403 403 403 403 403 403 403 302
page media/ = 200 200 200 200 200 403 403 403 302
page media/channels/ = 200 403 403 403 403 403 403 403 302
page media/channels/<int:pk>/edit/ = 200 403 403 403 403 403 403 403 302
page media/publications/ = 200 200 200 200 200 403 403 403 302
page media/publications/<int:pk>/ = 404 404 404 404 404 404 404 404 302
page media/publications/new/ = 200 200 403 403 200 403 403 403 302
page media/targets/ = 200 200 200 200 200 403 403 403 302
page media/targets/<int:pk>/delete/ = POST_ONLY
page meetings/ = 200 200 200 200 200 403 403 403 302
page meetings/<int:pk>/ = 404 404 404 404 404 404 404 404 302
page meetings/<int:pk>/minutes/ = 404 404 404 404 404 404 404 404 302
page meetings/new/ = 200 200 403 403 200 403 403 403 302
page milestones/<int:pk>/toggle/ = 404 404 404 404 404 404 404 404 302
page notices/ = LOGIN
page notices/<int:pk>/document.docx = 404 404 404 404 404 404 404 404 302
page notices/<int:pk>/reply/ = 404 404 404 404 404 404 404 404 302
page org/grants/ = 403 403 403 403 403 403 200 403 302
page org/grants/<int:pk>/revoke/ = POST_ONLY
page org/grants/new/ = 403 403 403 403 403 403 200 403 302
page org/import/report.xlsx = 404 404 404 404 404 404 404 404 302
page org/memberships/<int:pk>/remove/ = POST_ONLY
page org/people/ = 200 200 200 200 200 200 200 403 302
page org/people/<int:pk>/ = 200 404 404 200 404 200 200 404 302
page org/people/<int:pk>/edit/ = 403 404 404 403 404 200 403 404 302
page org/people/<int:pk>/memberships/ = POST_ONLY
page org/people/<int:pk>/password/ = 403 404 404 403 404 200 403 404 302
page org/people/import/ = 403 403 403 403 403 200 403 403 302
page org/people/import/template/ = 403 403 403 403 403 200 403 403 302
page org/people/new/ = 403 403 403 403 403 200 403 403 302
page org/pickers/people/ = LOGIN
page org/pickers/units/ = LOGIN
page org/units/ = 200 200 200 200 200 200 200 403 302
page org/units/<int:pk>/ = 404 404 404 404 404 200 200 404 302
page org/units/<int:pk>/delete/ = POST_ONLY
page org/units/<int:pk>/edit/ = 404 404 404 404 404 200 403 404 302
page org/units/<int:pk>/restore/ = POST_ONLY
page org/units/import/ = 403 403 403 403 403 200 403 403 302
page org/units/import/template/ = 403 403 403 403 403 200 403 403 302
page org/units/new/ = 403 403 403 403 403 200 403 403 302
page outreach/ = 200 200 200 200 200 403 403 403 302
page outreach/lectures/ = 200 200 200 200 200 403 403 403 302
page outreach/lectures/new/ = 200 200 403 403 200 403 403 403 302
page outreach/targets/ = 200 200 200 200 200 403 403 403 302
page outreach/targets/<int:pk>/edit/ = 404 404 404 404 404 404 404 404 302
page outreach/targets/new/ = 200 403 403 403 403 403 403 403 302
page outreach/teams/ = 200 200 200 200 200 403 403 403 302
page outreach/teams/<int:pk>/edit/ = 404 404 404 404 404 404 404 404 302
page outreach/teams/new/ = 200 200 200 200 200 403 403 403 302
page rectification/ = 200 200 200 200 200 403 403 403 302
page rectification/inspections/ = 200 200 200 200 200 403 403 403 302
page rectification/inspections/<int:pk>/ = 404 404 404 404 404 404 404 404 302
page rectification/problems/new/ = 200 403 403 403 403 403 403 403 302
page rectification/task-forces/ = LOGIN
page rectification/task-forces/<int:pk>/edit/ = 404 404 404 404 404 404 404 404 302
page rectification/task-forces/new/ = 200 403 403 403 403 403 403 403 302
page reports/ = 200 200 403 200 200 403 403 403 302
page reports/briefing.docx = 302 302 403 302 302 403 403 403 302
page reports/issue/ = POST_ONLY
page reports/issued/ = 200 200 403 200 200 403 403 403 302
page reports/issued/<int:pk>/ = 404 404 404 404 404 404 404 404 302
page reports/issued/<int:pk>/document.docx = 404 404 404 404 404 404 404 404 302
page reports/lines/<int:pk>/delete/ = POST_ONLY
page reports/lines/<int:pk>/edit/ = 404 404 404 404 404 404 404 404 302
page reports/sections/<int:pk>/delete/ = POST_ONLY
page reports/sections/<int:pk>/edit/ = 404 404 404 404 404 404 404 404 302
page reports/sections/<int:pk>/lines/new/ = 404 404 404 404 404 404 404 404 302
page reports/templates/ = 200 403 403 403 403 403 403 403 302
page reports/templates/<int:pk>/ = 404 404 404 404 404 404 404 404 302
page reports/templates/<int:pk>/edit/ = 404 404 404 404 404 404 404 404 302
page reports/templates/<int:pk>/sections/new/ = 404 404 404 404 404 404 404 404 302
page reports/templates/new/ = 200 403 403 403 403 403 403 403 302
page study/ = 200 200 200 200 200 403 403 403 302
page study/books/ = 200 200 200 200 200 403 403 403 302
page study/books/new/ = 200 200 200 403 200 403 403 403 302
page study/counts/ = 200 200 200 200 200 403 403 403 302
page study/essays/ = 200 200 200 200 200 403 403 403 302
page study/essays/<int:pk>/commend/ = POST_ONLY
page study/essays/new/ = 200 200 200 403 200 403 403 403 302
page study/groups/ = 200 200 200 200 200 403 403 403 302
page study/groups/<int:pk>/delete/ = POST_ONLY
page study/groups/<int:pk>/edit/ = 404 404 404 404 404 404 404 404 302
page study/groups/new/ = 200 200 200 200 200 403 403 403 302
page study/readings/ = 200 200 200 200 200 403 403 403 302
page study/readings/<int:pk>/delete/ = POST_ONLY
page study/readings/<int:pk>/edit/ = 404 404 404 404 404 404 404 404 302
page tasks/ = LOGIN
page tasks/<int:pk>/ = 200 404 404 200 404 404 404 404 302
page tasks/<int:pk>/accountability/new/ = 302 404 404 302 404 404 404 404 302
page tasks/<int:pk>/assign/ = 302 404 404 302 404 404 404 404 302
page tasks/<int:pk>/close/ = 302 404 404 302 404 404 404 404 302
page tasks/<int:pk>/comment/ = 302 404 404 302 404 404 404 404 302
page tasks/<int:pk>/decompose/ = 302 404 404 302 404 404 404 404 302
page tasks/<int:pk>/delete/ = 302 404 404 302 404 404 404 404 302
page tasks/<int:pk>/edit/ = 200 404 404 403 404 404 404 404 302
page tasks/<int:pk>/issue/ = 200 404 404 403 404 404 404 404 302
page tasks/<int:pk>/milestones/new/ = 302 404 404 302 404 404 404 404 302
page tasks/<int:pk>/notices/new/ = 302 404 404 302 404 404 404 404 302
page tasks/<int:pk>/remind/ = 302 404 404 302 404 404 404 404 302
page tasks/<int:pk>/report/ = 302 404 404 302 404 404 404 404 302
page tasks/<int:pk>/restore/ = 302 404 404 302 404 404 404 404 302
page tasks/<int:pk>/sign/ = 302 404 404 302 404 404 404 404 302
page tasks/<int:pk>/verify/ = 302 404 404 302 404 404 404 404 302
page tasks/<int:pk>/withdraw/ = 302 404 404 302 404 404 404 404 302
page tasks/export/ = LOGIN
page tasks/unit-options/ = LOGIN
page volunteering/ = 200 200 200 200 200 403 403 403 302
page volunteering/activities/ = 200 200 200 200 200 403 403 403 302
page volunteering/activities/<int:pk>/ = 404 404 404 404 404 404 404 404 302
page volunteering/activities/<int:pk>/hours/add/ = 404 404 404 404 404 404 404 404 302
page volunteering/activities/<int:pk>/sign-up/ = 405 405 405 405 405 405 405 405 302
page volunteering/activities/new/ = 403 200 403 403 200 403 403 403 302
page volunteering/certificates/<int:pk>/download/ = 404 404 404 404 404 404 404 404 302
page volunteering/checkin/ = 200 200 200 200 200 403 403 403 302
page volunteering/hours/<int:pk>/object/ = 404 404 404 404 404 404 404 404 302
page volunteering/objections/ = 200 200 200 200 200 403 403 403 302
page volunteering/objections/<int:pk>/answer/ = 404 404 404 404 404 404 404 404 302
page volunteering/objections/<int:pk>/escalate/ = 405 405 405 405 405 405 405 405 302
page volunteering/order/ = 200 200 200 200 200 200 200 200 200
page volunteering/order/status/ = 200 200 200 200 200 200 200 200 200
page volunteering/orders/ = 200 200 200 200 200 403 403 403 302
page volunteering/orders/<int:pk>/ = 404 404 404 404 404 404 404 404 302
page volunteering/orders/<int:pk>/<slug:move>/ = POST_ONLY
page volunteering/orders/new/ = 403 200 403 403 200 403 403 403 302
page volunteering/register/ = 200 200 200 200 200 403 403 403 302
page volunteering/returns/ = 200 200 403 200 200 403 403 403 302
page volunteering/returns/national/ = 403 200 403 403 200 403 403 403 302
page volunteering/sign-ups/<int:pk>/cancel/ = 405 405 405 405 405 405 405 405 302
page volunteering/sign-ups/<int:pk>/decide/ = 405 405 405 405 405 405 405 405 302
page volunteering/teams/ = 200 200 200 200 200 403 403 403 302
page volunteering/teams/<int:pk>/ = 404 404 404 404 404 404 404 404 302
page volunteering/teams/<int:pk>/edit/ = 404 404 404 404 404 404 404 404 302
page volunteering/teams/new/ = 403 200 403 403 200 403 403 403 302
page volunteering/themes/ = 200 200 200 200 200 403 403 403 302
page volunteering/themes/<int:pk>/ = 404 404 404 404 404 404 404 404 302
page volunteering/themes/<int:pk>/actions/<int:action_pk>/issue/ = 405 405 405 405 405 405 405 405 302
page volunteering/themes/<int:pk>/actions/new/ = 404 404 404 404 404 404 404 404 302
page volunteering/themes/new/ = 403 403 403 403 403 403 403 403 302
page volunteering/verify/<str:token>/ = 404 404 404 404 404 404 404 404 404
page volunteering/volunteers/ = 200 200 403 200 200 403 403 403 302
page volunteering/volunteers/<int:pk>/ = 404 404 404 404 404 404 404 404 302
page volunteering/volunteers/<int:pk>/certificate/ = 404 404 404 404 404 404 404 404 302
page volunteering/volunteers/<int:pk>/edit/ = 404 404 404 404 404 404 404 404 302
page workbench/ = 200 200 200 200 200 302 302 302 302
api GET /api/assessment/cases = 200 200 200 200 200 200 200 200 401
api GET /api/assessment/cases/{case_id} = 404 404 404 404 404 404 404 404 401
api GET /api/assessment/indicators = 200 200 403 200 200 403 403 403 401
api GET /api/assessment/plans = 200 200 403 200 200 403 403 403 401
api GET /api/assessment/plans/{plan_id} = 404 404 404 404 404 404 404 404 401
api GET /api/assessment/plans/{plan_id}/appeals = 404 404 404 404 404 404 404 404 401
api GET /api/assessment/people/mine = 200 200 200 200 200 200 200 200 401
api GET /api/assessment/people/{person_score_id} = 404 404 404 404 404 404 404 404 401
api GET /api/assessment/plans/{plan_id}/people = 404 404 404 404 404 404 404 404 401
api GET /api/assessment/plans/{plan_id}/runs/latest = 404 404 404 404 404 404 404 404 401
api GET /api/assessment/plans/{plan_id}/scores = 404 404 404 404 404 404 404 404 401
api GET /api/assessment/scores/{score_id} = 404 404 404 404 404 404 404 404 401
api POST /api/assessment/appeals/{appeal_id}/answer = 422 422 422 422 422 422 422 422 401
api POST /api/assessment/cases = 422 422 422 422 422 422 422 422 401
api POST /api/assessment/cases/{case_id}/review = 422 422 422 422 422 422 422 422 401
api POST /api/assessment/indicators = 422 422 422 422 422 422 422 422 401
api POST /api/assessment/plans = 422 422 422 422 422 422 422 422 401
api POST /api/assessment/plans/{plan_id}/moves/{move} = 404 404 404 404 404 404 404 404 401
api POST /api/assessment/plans/{plan_id}/runs = 404 404 404 404 404 404 404 404 401
api POST /api/assessment/scores/{score_id}/appeals = 422 422 422 422 422 422 422 422 401
api POST /api/assessment/scores/{score_id}/grade = 422 422 422 422 422 422 422 422 401
api POST /api/assessment/scores/{score_id}/review = 404 404 404 404 404 404 404 404 401
api POST /api/assessment/scores/{score_id}/self = 404 404 404 404 404 404 404 404 401
api DELETE /api/ledger/activities/{activity_id} = 404 404 404 404 404 404 404 404 401
api DELETE /api/study/essays/{essay_id}/commend = 404 404 404 404 404 404 404 404 401
api DELETE /apitasks/{task_id} = 404 404 404 404 404 404 404 404 404
api GET /api/files/{attachment_id} = 404 404 404 404 404 404 404 404 401
api GET /api/heritage/exhibitions = 200 200 200 200 200 404 404 404 401
api GET /api/heritage/exhibitions/{exhibition_id} = 404 404 404 404 404 404 404 404 401
api GET /api/heritage/routes = 200 200 200 200 200 404 404 404 401
api GET /api/heritage/routes/{route_id} = 404 404 404 404 404 404 404 404 401
api GET /api/heritage/sites = 200 200 200 200 200 404 404 404 401
api GET /api/heritage/sites/{site_id} = 404 404 404 404 404 404 404 404 401
api GET /api/learning/imports = 200 200 200 200 200 200 200 200 401
api GET /api/learning/imports/{import_id} = 404 404 404 404 404 404 404 404 401
api GET /api/learning/imports/{import_id}/rows = 404 404 404 404 404 404 404 404 401
api GET /api/ledger/activities = 200 200 200 200 200 403 403 403 401
api GET /api/ledger/activities/{activity_id} = 404 404 404 404 404 404 404 404 401
api GET /api/ledger/activities/{activity_id}/participants = 404 404 404 404 404 404 404 404 401
api GET /api/ledger/people-counts = 200 200 200 200 200 403 403 403 401
api GET /api/ledger/pivot = 200 200 200 200 200 403 403 403 401
api GET /api/ledger/types = 200 200 200 200 200 403 403 403 401
api GET /api/ledger/types/{type_id} = 404 404 404 404 404 404 404 404 401
api GET /api/media/channels = 200 200 200 200 200 403 403 403 401
api GET /api/media/matrix = 200 200 200 200 200 403 403 403 401
api GET /api/media/publications = 200 200 200 200 200 403 403 403 401
api GET /api/media/publications/{publication_id} = 404 404 404 404 404 404 404 404 401
api GET /api/media/targets = 200 200 200 200 200 403 403 403 401
api GET /api/meetings = 200 200 200 200 200 200 200 200 401
api GET /api/meetings/agenda = 422 422 422 422 422 422 422 422 401
api GET /api/meetings/{pk} = 404 404 404 404 404 404 404 404 401
api GET /api/meetings/{pk}/decisions = 404 404 404 404 404 404 404 404 401
api GET /api/outreach/coverage = 200 200 200 200 200 403 403 403 401
api GET /api/outreach/lectures = 200 200 200 200 200 403 403 403 401
api GET /api/outreach/targets = 200 200 200 200 200 403 403 403 401
api GET /api/outreach/teams = 200 200 200 200 200 403 403 403 401
api GET /api/people = 200 200 200 200 200 200 200 200 401
api GET /api/people/me = 200 200 200 200 200 200 200 200 401
api GET /api/people/{person_id} = 200 404 404 200 404 200 200 404 401
api GET /api/rectification/inspections = 200 200 200 200 200 200 200 200 401
api GET /api/rectification/inspections/{pk} = 404 404 404 404 404 404 404 404 401
api GET /api/rectification/problems = 200 200 200 200 200 200 200 200 401
api GET /api/rectification/task-forces = 200 200 200 200 200 200 200 200 401
api GET /api/reports/briefing = 422 422 422 422 422 422 422 422 401
api GET /api/study/books = 200 200 200 200 200 403 403 403 401
api GET /api/study/counts = 200 200 200 200 200 403 403 403 401
api GET /api/study/essays = 200 200 200 200 200 403 403 403 401
api GET /api/study/groups = 200 200 200 200 200 403 403 403 401
api GET /api/study/groups/{group_id} = 404 404 404 404 404 404 404 404 401
api GET /api/study/readings = 200 200 200 200 200 403 403 403 401
api GET /api/units = 200 200 200 200 200 200 200 200 401
api GET /api/units/{unit_id} = 404 404 404 404 404 200 200 404 401
api GET /api/volunteering/activities = 200 200 200 200 200 403 403 403 401
api GET /api/volunteering/activities/{activity_id} = 404 404 404 404 404 404 404 404 401
api GET /api/volunteering/me/hours = 200 200 200 200 200 200 200 200 401
api GET /api/volunteering/orders = 200 200 200 200 200 403 403 403 401
api GET /api/volunteering/public/certificates/{token} = 404 404 404 404 404 404 404 404 404
api GET /api/volunteering/public/orders/challenge = 200 200 200 200 200 200 200 200 200
api GET /api/volunteering/public/orders/{code} = 404 404 404 404 404 404 404 404 404
api GET /api/volunteering/returns = 200 200 403 200 200 403 403 403 401
api GET /api/volunteering/teams = 200 200 200 200 200 403 403 403 401
api GET /api/volunteering/themes = 200 200 200 200 200 403 403 403 401
api GET /api/volunteering/themes/{theme_id}/progress = 404 404 404 404 404 404 404 404 401
api GET /api/volunteering/volunteers = 200 200 403 200 200 403 403 403 401
api GET /api/volunteering/volunteers/{volunteer_id} = 404 404 404 404 404 404 404 404 401
api GET /apicampaigns = 404 404 404 404 404 404 404 404 404
api GET /apicampaigns/{campaign_id} = 404 404 404 404 404 404 404 404 404
api GET /apilearning/me = 404 404 404 404 404 404 404 404 404
api GET /apilearning/notices = 404 404 404 404 404 404 404 404 404
api GET /apilearning/notices/{notice_id} = 404 404 404 404 404 404 404 404 404
api GET /apilearning/rankings = 404 404 404 404 404 404 404 404 404
api GET /apilearning/summaries = 404 404 404 404 404 404 404 404 404
api GET /apilearning/summaries/units/{unit_id}/people = 404 404 404 404 404 404 404 404 404
api GET /apinotices = 404 404 404 404 404 404 404 404 404
api GET /apinotices/{notice_id} = 404 404 404 404 404 404 404 404 404
api GET /apinotices/{notice_id}/document = 404 404 404 404 404 404 404 404 404
api GET /apitasks = 404 404 404 404 404 404 404 404 404
api GET /apitasks/accountability-kinds = 404 404 404 404 404 404 404 404 404
api GET /apitasks/{task_id} = 404 404 404 404 404 404 404 404 404
api GET /apitasks/{task_id}/reports = 404 404 404 404 404 404 404 404 404
api GET /apiworkbench = 404 404 404 404 404 404 404 404 404
api PATCH /api/ledger/activities/{activity_id} = 404 404 404 404 404 404 404 404 401
api PATCH /api/ledger/types/{type_id} = 404 404 404 404 404 404 404 404 401
api PATCH /apicampaigns/{campaign_id} = 404 404 404 404 404 404 404 404 404
api PATCH /apitasks/accountability-kinds/{kind_id} = 404 404 404 404 404 404 404 404 404
api PATCH /apitasks/{task_id} = 404 404 404 404 404 404 404 404 404
api POST /api/learning/imports = 422 422 422 422 422 422 422 422 401
api POST /api/learning/imports/{import_id}/confirm = 404 404 404 404 404 404 404 404 401
api POST /api/learning/imports/{import_id}/discard = 404 404 404 404 404 404 404 404 401
api POST /api/learning/imports/{import_id}/organisations = 422 422 422 422 422 422 422 422 401
api POST /api/learning/imports/{import_id}/rows/{row_id} = 404 404 404 404 404 404 404 404 401
api POST /api/learning/imports/{import_id}/undo = 404 404 404 404 404 404 404 404 401
api POST /api/ledger/activities = 422 422 422 422 422 422 422 422 401
api POST /api/ledger/activities/{activity_id}/restore = 404 404 404 404 404 404 404 404 401
api POST /api/ledger/checkin = 422 422 422 422 422 422 422 422 401
api POST /api/ledger/types = 422 422 422 422 422 422 422 422 401
api POST /api/media/publications = 422 422 422 422 422 422 422 422 401
api POST /api/media/targets = 422 422 422 422 422 422 422 422 401
api POST /api/meetings = 422 422 422 422 422 422 422 422 401
api POST /api/meetings/{pk}/decisions = 422 422 422 422 422 422 422 422 401
api POST /api/outreach/lectures = 422 422 422 422 422 422 422 422 401
api POST /api/rectification/inspections/{pk}/findings = 422 422 422 422 422 422 422 422 401
api POST /api/rectification/problems = 422 422 422 422 422 422 422 422 401
api POST /api/rectification/task-forces = 422 422 422 422 422 422 422 422 401
api POST /api/study/books = 422 422 422 422 422 422 422 422 401
api POST /api/study/essays = 422 422 422 422 422 422 422 422 401
api POST /api/study/essays/{essay_id}/commend = 404 404 404 404 404 404 404 404 401
api POST /api/volunteering/activities = 422 422 422 422 422 422 422 422 401
api POST /api/volunteering/activities/{activity_id}/sign-ups = 422 422 422 422 422 422 422 422 401
api POST /api/volunteering/checkin = 422 422 422 422 422 422 422 422 401
api POST /api/volunteering/hours/{hours_id}/objections = 422 422 422 422 422 422 422 422 401
api POST /api/volunteering/orders/{order_id}/{move} = 404 404 404 404 404 404 404 404 401
api POST /api/volunteering/public/orders = 422 422 422 422 422 422 422 422 422
api POST /api/volunteering/public/orders/{code}/rating = 422 422 422 422 422 422 422 422 422
api POST /api/volunteering/sign-ups/{signup_id}/cancel = 404 404 404 404 404 404 404 404 401
api POST /api/volunteering/themes/{theme_id}/actions/{action_id}/issue = 404 404 404 404 404 404 404 404 401
api POST /api/volunteering/volunteers = 422 422 422 422 422 422 422 422 401
api POST /apicampaigns = 404 404 404 404 404 404 404 404 404
api POST /apicampaigns/{campaign_id}/tracks = 404 404 404 404 404 404 404 404 404
api POST /apinotices/{notice_id}/reply = 404 404 404 404 404 404 404 404 404
api POST /apitasks = 404 404 404 404 404 404 404 404 404
api POST /apitasks/accountability-kinds = 404 404 404 404 404 404 404 404 404
api POST /apitasks/{task_id}/accountability = 404 404 404 404 404 404 404 404 404
api POST /apitasks/{task_id}/assign = 404 404 404 404 404 404 404 404 404
api POST /apitasks/{task_id}/close = 404 404 404 404 404 404 404 404 404
api POST /apitasks/{task_id}/comments = 404 404 404 404 404 404 404 404 404
api POST /apitasks/{task_id}/decompose = 404 404 404 404 404 404 404 404 404
api POST /apitasks/{task_id}/issue = 404 404 404 404 404 404 404 404 404
api POST /apitasks/{task_id}/notices = 404 404 404 404 404 404 404 404 404
api POST /apitasks/{task_id}/remind = 404 404 404 404 404 404 404 404 404
api POST /apitasks/{task_id}/reports = 404 404 404 404 404 404 404 404 404
api POST /apitasks/{task_id}/restore = 404 404 404 404 404 404 404 404 404
api POST /apitasks/{task_id}/sign = 404 404 404 404 404 404 404 404 404
api POST /apitasks/{task_id}/verify = 404 404 404 404 404 404 404 404 404
api POST /apitasks/{task_id}/withdraw = 404 404 404 404 404 404 404 404 404
api PUT /api/learning/imports/{import_id}/mapping = 422 422 422 422 422 422 422 422 401
api PUT /api/ledger/activities/{activity_id}/participants = 422 422 422 422 422 422 422 422 401
api PUT /apicampaigns/{campaign_id}/leading-group = 404 404 404 404 404 404 404 404 404
"""


def _parse_table() -> dict[str, str]:
    table: dict[str, str] = {}
    shorthands = {"PUBLIC": PUBLIC, "LOGIN": LOGIN, "POST_ONLY": POST_ONLY}
    for line in ROUTE_TABLE.strip("\n").splitlines():
        route, _, statuses = line.partition(" = ")  # "page " is the home page: keep its space
        table[route] = shorthands.get(statuses, statuses)
    return table


ROUTES.update(_parse_table())


# --- enumeration ---------------------------------------------------------------------------------


def _walk(patterns, prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def page_routes() -> list[str]:
    return sorted(
        {
            f"page {route}"
            for route in _walk(get_resolver().url_patterns)
            if not route.startswith(EXCLUDED_PREFIXES)
        }
    )


def api_routes() -> list[str]:
    schema = api.get_openapi_schema(path_prefix="/api")
    return sorted(
        f"api {method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
    )


def all_routes() -> list[str]:
    return page_routes() + api_routes()


def test_every_route_is_classified():
    routes = all_routes()
    assert len(routes) > 250  # the walk found the platform, not just a corner of it
    unclassified = [route for route in routes if route not in ROUTES]
    assert not unclassified, "routes nobody has classified in test_routes.ROUTES:\n" + "\n".join(
        unclassified
    )
    stale = sorted(set(ROUTES) - set(routes))
    assert not stale, "ROUTES lists routes that no longer exist:\n" + "\n".join(stale)


# --- the statuses --------------------------------------------------------------------------------

PAGE_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
API_PARAM = re.compile(r"\{(?:(\w+):)?(\w+)\}")


def _models_by_name() -> dict[str, type[models.Model]]:
    found: dict[str, type[models.Model]] = {}
    for model in apps.get_models():
        if model.__module__.startswith("luoshi."):
            found.setdefault(model._meta.model_name or "", model)
    return found


def _singular(segment: str) -> str:
    word = segment.replace("-", "").replace("_", "").lower()
    if word == "people":
        return "person"
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


def _object_id(name: str, previous_segment: str, known: dict[str, type[models.Model]]) -> str:
    if name == "year":
        return str(timezone.localdate().year)
    if name in ("pk", "id"):
        candidate = _singular(previous_segment)
    else:
        candidate = _singular(name.removesuffix("_id").removesuffix("_pk"))
    aliases = {
        "user": "user",
        "person": "user",
        "task": "task",
        "notice": "supervisionnotice",
        "audit": "auditevent",
    }
    for key in (candidate, aliases.get(candidate, ""), f"{candidate}s"):
        model = known.get(key)
        if model is not None:
            first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
            if first is not None:
                return str(first)
    return "1"


def _fill(path: str, pattern: re.Pattern, known: dict[str, type[models.Model]]) -> str:
    def replace(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        before = path[: match.start()].rstrip("/").rsplit("/", 1)[-1]
        if converter in (None, "int") and (converter == "int" or name.endswith(("id", "pk"))):
            return _object_id(name, before, known)
        return _object_id(name, before, known) if converter is None else "x"

    return pattern.sub(replace, path)


def _url(route: str, known: dict[str, type[models.Model]]) -> str:
    kind, _, rest = route.partition(" ")
    if kind == "page":
        return "/" + _fill(rest, PAGE_PARAM, known)
    _method, _, path = rest.partition(" ")
    return _fill(path, API_PARAM, known)


def _clients(world: World, client_for) -> list[Client]:
    return [client_for(getattr(world, persona)) for persona in PERSONAS] + [Client()]


class _Undo(Exception):
    pass


def _status(client: Client, method: str, url: str) -> int:
    """The status of one request; a change (an API operation other than GET, sent with an empty
    JSON body) is rolled back, so that every persona meets the same data."""
    if method == "GET":
        return client.get(url).status_code
    try:
        with transaction.atomic():
            status = client.generic(method, url, "{}", content_type="application/json").status_code
            raise _Undo
    except _Undo:
        return status


@pytest.mark.django_db
def test_every_route_answers_each_persona_as_classified(world, client_for):
    issued_task(world)
    known = _models_by_name()
    clients = _clients(world, client_for)
    wrong: list[str] = []
    dump = os.environ.get("LUOSHI_ROUTES_DUMP")  # a file for every route's observed line
    seen: list[str] = []
    for route in all_routes():
        if route not in ROUTES and not dump:
            continue  # the first test names it
        url = _url(route, known)
        method = route.split(" ")[1] if route.startswith("api ") else "GET"
        observed = " ".join(str(_status(client, method, url)) for client in clients)
        seen.append(f"{route} = {observed}")
        if observed != ROUTES.get(route):
            wrong.append(f"{route} = {observed}    (expected {ROUTES.get(route)}; {url})")
    if dump:
        Path(dump).write_text("\n".join(seen) + "\n", encoding="utf-8")
    assert not wrong, "routes whose answers differ from ROUTES:\n" + "\n".join(wrong)
