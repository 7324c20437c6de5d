"""Every capability's models, imported so that Base.metadata knows all tables."""
from app.accounts.models import ApiToken, AuditEvent, Organisation, OrganisationAuthority, User  # noqa: F401
from app.audits.models import Audit, CorrectiveAction  # noqa: F401
from app.audits.outbox_models import CalendarToken, Delivery, OutboxEvent, Subscription  # noqa: F401
from app.registry.models import (Address, Alias, Authority, Entity, EntitySector, EvidenceDocument,  # noqa: F401
                                 Identifier, Licence, LicenceDestination, LicenceSector, LicenceStatusChange, Note,
                                 Person, PortfolioEntry, Relationship, Role)
from app.scoring.models import AuditFinding, FeeLine, PracticeAssessment, RuleSetActivation, Score  # noqa: F401
from app.screening.models import (WatchlistChange, WatchlistEntry, WatchlistFetch, WatchlistSource,  # noqa: F401
                                  WatchlistVersion)
from app.audits.tasks_models import EntityReview, ReviewTask  # noqa: F401
from app.reports.models import (PublicFigure, Report, ReportAddition, ReportAttachment, ReportNote,  # noqa: F401
                                ReportRead, ReportReferral, ReportStateChange)
