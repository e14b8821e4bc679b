"""The reports lines of the scope matrix (tests/accounts/test_scope_matrix.py merges them).

ROUTES: route pattern -> check(world, role); FORMS: name -> Form for the CSRF test; POST_ROUTES:
every reports route whose view takes a POST.
"""

ROUTES: dict = {}
FORMS: dict = {}
POST_ROUTES: set[str] = set()
