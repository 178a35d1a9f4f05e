"""The rights of spec/rights.md: server rights, Domain Administrator rights, realms."""

MASTER = "Master"
SETTINGS = "Settings"
DOMAINS_READ = "DomainsRead"
ALL_DOMAINS = "AllDomains"
MONITOR = "Monitor"
CAN_RELEASE_QUEUES = "CanReleaseQueues"
CAN_REJECT_QUEUES = "CanRejectQueues"
CAN_TUNE_LOGGER = "CanTuneLoggerSettings"
DIRECTORY = "Directory"

SERVER_RIGHTS: dict[str, str] = {
    MASTER: "Every realm, every page, every operation; grant and revoke rights",
    SETTINGS: "Settings realm: server kernel and module settings, Server Strings",
    DOMAINS_READ: "Users realm, read only: all Domains and Accounts",
    ALL_DOMAINS: "Users realm: read and modify all Domains and Accounts; grant Domain Administrator rights",
    MONITOR: "Monitors realm: queues, logs, statistics, notifications (read only)",
    CAN_RELEASE_QUEUES: "With Monitor: release (retry now) module queues",
    CAN_REJECT_QUEUES: "With Monitor: reject queued messages",
    CAN_TUNE_LOGGER: "With Monitor: reconfigure the Log Manager (levels, rotation)",
    DIRECTORY: "Directory realm",
}
MONITOR_SUB_RIGHTS = (CAN_RELEASE_QUEUES, CAN_REJECT_QUEUES, CAN_TUNE_LOGGER)

# The marker that makes an account a Domain Administrator of its own domain.
DOMAIN_ADMIN = "Domain"
CAN_ADMIN_SUB_DOMAINS = "CanAdminSubDomains"
CAN_POST_ALERTS = "CanPostAlerts"
CAN_ACCESS_MAILBOXES = "CanAccessMailboxes"

# The WebAdmin's URL schemes (realms.pages mounts them; realms.permissions.may_open checks them).
MASTER_SCHEME = "master"
SEPARATE_SCHEME = "separate"
DOMAIN_SCHEME = "domain"
DOMAIN_WEBADMIN_REALM = "Users"  # the realm the Domain WebAdmin (/Domain/) shows

DOMAIN_SETTING_RIGHTS: dict[str, str] = {
    "DomainAccessModes": "Enabled Services",
    "AutoSignup": "Provisioning: Auto-Signup Setting",
    "ExternalOnProvision": "Provisioning: Consult External on Provision Setting",
    "TrailerText": "Client Interfaces: Mail Trailer Text Setting",
    "WebBanner": "WebUser Interface: Web Banner Text Setting",
    "WebSitePrefix": "WebUser Interface: Personal Web Site Prefix Setting",
    "Foldering": "Large Domains: Foldering Method Setting",
    "FolderIndex": "Large Domains: Generate Index Setting",
    "RenameInPlace": "Large Domains: Rename in Place Setting",
    "AllWithForwarders": "Mail to All: Send to Forwarders Setting",
    "MailToAllAction": "Mail to All: Distributed for Setting",
    "ExternalOnUnknown": "Unknown Names: Consult External for Unknown Setting",
    "MailToUnknown": "Unknown Names: Mail to Unknown Names Setting",
    "MailRerouteAddress": "Unknown Names: Mail Rerouted to Setting",
    "SignalToUnknown": "Unknown Names: Signal to Unknown Names Setting",
    "SignalRerouteAddress": "Unknown Names: Signal Rerouted to Setting",
    "AccessToUnknown": "Unknown Names: Access to Unknown Names Setting",
    "AccessRerouteAddress": "Unknown Names: Access Rerouted to Setting",
    "CentralDirectory": "Directory Integration Setting",
    "CertificateType": "Security: Domain PKI Settings",
    "KerberosKeys": "Security: Kerberos Keys",
    "RelayAddress": "SMTP Sending: Send via Setting",
    "ForceSMTPAuth": "SMTP Receiving: Force AUTH Setting",
    "recipientStatus": "SMTP Receiving: When Receiving Setting",
    "ServiceClasses": "Can create, rename, and remove Classes of Service",
}

OBJECT_RIGHTS: dict[str, str] = {
    "CanCreateAccounts": "Create, rename, and remove Accounts",
    "CanCreateSpecialAccounts": "Create single-mailbox or Legacy INBOX Accounts",
    "CanCreateGroups": "Create, rename, remove, and modify Groups",
    "CanCreateForwarders": "Manage Forwarders",
    "CanCreateNamedTasks": "Manage Named Tasks",
    "CanCreateLists": "Create, rename, and remove Mailing Lists",
    "CanAccessLists": "Modify Mailing Lists",
    "CanCreateAliases": "Manage Aliases",
    "CanCreateTelnums": "Manage Telephone Numbers",
    "CanPostAlerts": "Post Domain and Account Alerts",
    CAN_ADMIN_SUB_DOMAINS: "Administer other Domains",
    "CanModifySkins": "Manage Domain Skins",
    "CanModifyPBXApps": "Manage Domain Real-Time Applications",
    "CanAccessMailboxes": "Unrestricted Access to all Account Mailboxes",
    "CanAccessWebSites": "Unrestricted Access to all File Storage files",
    "CanControlCalls": "Unrestricted Access to all Call Control functions",
    "CanCreateWebUserSessions": "Manage WebUser sessions via CLI",
    "CanImpersonate": "Ability to Impersonate",
    "CanControlAirSync": "Ability to control AirSync clients",
    "CanCreditAccounts": "Ability to credit Account Balances",
    "CanChargeAccounts": "Ability to charge Account Balances and to reserve funds.",
    "CanChargeReserves": "Ability to charge fund reserved in Account Balances",
}

ACCOUNT_SETTING_RIGHTS: dict[str, str] = {
    "ServiceClass": "Class of Service settings",
    "BasicSettings": "Basic Settings: Password, RealName, Custom and Public Info settings",
    "PSTNSettings": "PSTN settings",
    "WebUserSettings": "Preferences",
    "UseAppPassword": "CommuniGate Password: Allow to Use",
    "PWDAllowed": "CommuniGate Password: Allow to Modify",
    "PasswordEncryption": "CommuniGate Password: Encryption",
    "RequireAPOP": "Authentication methods: Secure only",
    "UseKerberosPassword": "Kerberos Authentication",
    "UseCertificateAuth": "Certificate Authentication",
    "UseSysPassword": "Authentication methods: Enable OS Password",
    "OSUserName": "Authentication methods: Server OS user name",
    "UseExtPassword": "Authentication methods: External Authentication",
    "LogLogin": "Logging for login/logout events in a Supplementary Log",
    "FailedLoginFlows": "Authentication: Failed Login Limit",
    "AccessModes": "Enabled Services",
    "MailInpFlow": "Mail Transfer options: Incoming Mail Limit",
    "MailOutFlow": "Mail Transfer options: Outgoing Mail Limit",
    "MaxMessageSize": "Mail Transfer options: Incoming Message Size Limit",
    "MaxMailOutSize": "Mail Transfer options: Outgoing Message Size Limit",
    "MailToAll": "Mail processing options: Accept Mail to all",
    "AddMailTrailer": "Mail processing options: Add Trailer to Sent Mail",
    "QuotaNotice": "Mail Quota Processing: Send Notice",
    "QuotaAlert": "Mail Quota Processing: Send Alerts",
    "QuotaSuspend": "Mail Quota Processing: Delay New Mail",
    "RulesAllowed": "Mail processing options: Rules",
    "RPOPAllowed": "Mail processing options: RPOP Accounts",
    "MaxAccountSize": "Mail Storage limits: Mail Storage",
    "MaxMailboxes": "Mail Storage limits: Mailboxes",
    "DefaultMailboxType": "Mail Storage options: New Mailboxes",
    "MaxSignalContacts": "Signal processing limits: Contacts",
    "SignalRulesAllowed": "Signal processing options: Rules",
    "CallsLimit": "Signals: Concurrent Calls option",
    "CallLogs": "Signals: Call Logs option",
    "DialogInfo": "Signals: Call Info option",
    "CallInpFlow": "Signals: Incoming Calls Limit option",
    "CallOutFlow": "Signals: Outgoing Calls Limit option",
    "RSIPAllowed": "Signals: RSIP Registrations",
    "AirSyncAllowed": "Ability to specify which AirSync clients can access the Account.",
    "MaxRosterItems": "Signals: MaxRosterItems option",
    "IMLogs": "Signals: IM Logs option",
    "NotifyOutFlow": "Signals: Outgoing NOTIFY Requests Limit option",
    "MaxWebSize": "File Storage limits: Web Storage",
    "MaxFileSize": "File Storage limits: Web Storage",
    "MaxWebFiles": "File Storage limits: Web Files",
    "AddWebBanner": "File Storage options: Add Web Banner",
    "DefaultWebPage": "File Storage options: Default Web Page",
}

# The seed's table, in its order: (group, {right: description}).
DOMAIN_ADMIN_RIGHT_GROUPS: tuple[tuple[str, dict[str, str]], ...] = (
    ("Domain Settings", DOMAIN_SETTING_RIGHTS),
    ("Objects", OBJECT_RIGHTS),
    ("Account Settings", ACCOUNT_SETTING_RIGHTS),
)
DOMAIN_ADMIN_RIGHTS: frozenset[str] = frozenset(
    name for _, group in DOMAIN_ADMIN_RIGHT_GROUPS for name in group
)

# The five realms and the server rights that open each (any one of them).
REALMS: dict[str, tuple[str, ...]] = {
    "Settings": (SETTINGS,),
    "Users": (DOMAINS_READ, ALL_DOMAINS),
    "Monitors": (MONITOR,),
    "Directory": (DIRECTORY,),
    "Master": (MASTER,),
}
