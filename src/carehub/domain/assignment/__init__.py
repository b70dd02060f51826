"""Assignment of authorized members to ECM providers (issue 5): policy (policy.py, one function per rule, each
naming its source), the batch (batch.py), the best-match solver (solver.py, OR-Tools min-cost flow), and the
`carehub assign` inputs (members_file.py, folder.py) and run (run.py)."""

from carehub.domain.assignment.batch import Assignment, Considered, assign_batch
from carehub.domain.assignment.policy import RULES, MemberCase, Provider, Rule, Unqualified, qualifies

__all__ = ["RULES", "Assignment", "Considered", "MemberCase", "Provider", "Rule", "Unqualified", "assign_batch",
           "qualifies"]
