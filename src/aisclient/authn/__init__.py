"""AuthN: log in to an AIStore AuthN server and manage its clusters, roles, users and tokens.

An optional part of aisclient: ``import aisclient`` does not load it.

>>> from aisclient.authn import AuthNClient, AccessAttr     # doctest: +SKIP
>>> authn = AuthNClient("http://authn:52001")
>>> token = authn.login("admin", password)
>>> client = aisclient.Client("http://ais:8080", token=token)
"""

from aisclient.authn.access import AccessAttr
from aisclient.authn.client import AuthNClient
from aisclient.authn.errors import (
    AuthNError,
    ErrAuthNAccessDenied,
    ErrAuthNTokenExpired,
    ErrAuthNTokenRevoked,
    ErrAuthNUnauthorized,
    ErrClusterAlreadyRegistered,
    ErrClusterNotFound,
    ErrRoleAlreadyExists,
    ErrRoleNotFound,
    ErrUserAlreadyExists,
    ErrUserInvalidCredentials,
    ErrUserNotFound,
)
from aisclient.authn.managers import ClusterManager, RoleManager, TokenManager, UserManager
from aisclient.authn.models import (
    BucketPermission,
    ClusterInfo,
    ClusterList,
    ClusterPermission,
    RoleInfo,
    RolesList,
    UserInfo,
    UserMap,
)

__all__ = [
    "AccessAttr",
    "AuthNClient",
    "AuthNError",
    "BucketPermission",
    "ClusterInfo",
    "ClusterList",
    "ClusterManager",
    "ClusterPermission",
    "ErrAuthNAccessDenied",
    "ErrAuthNTokenExpired",
    "ErrAuthNTokenRevoked",
    "ErrAuthNUnauthorized",
    "ErrClusterAlreadyRegistered",
    "ErrClusterNotFound",
    "ErrRoleAlreadyExists",
    "ErrRoleNotFound",
    "ErrUserAlreadyExists",
    "ErrUserInvalidCredentials",
    "ErrUserNotFound",
    "RoleInfo",
    "RoleManager",
    "RolesList",
    "TokenManager",
    "UserInfo",
    "UserManager",
    "UserMap",
]
