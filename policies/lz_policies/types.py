"""Every resource and invoke type token the pack names, once (`aws:<module>/<resource>:<Resource>`).

Rules refer to these names, never to literal tokens, so a renamed provider type is fixed in one place.
"""

# aws:accessanalyzer
ANALYZER = "aws:accessanalyzer/analyzer:Analyzer"

# aws:account
CONTACT = "aws:account/alternativeContact:AlternativeContact"
REGION_SETTING = "aws:account/region:Region"

# aws:acm
CERTIFICATE = "aws:acm/certificate:Certificate"
CERTIFICATE_VALIDATION = "aws:acm/certificateValidation:CertificateValidation"

# aws:acmpca
ACMPCA_POLICY = "aws:acmpca/policy:Policy"

# aws:alb
ALB_LISTENER = "aws:alb/listener:Listener"
ALB_LISTENER_CERTIFICATE = "aws:alb/listenerCertificate:ListenerCertificate"
ALB_LOAD_BALANCER = "aws:alb/loadBalancer:LoadBalancer"

# aws:amp
AMP_RESOURCE_POLICY = "aws:amp/resourcePolicy:ResourcePolicy"

# aws:apigateway
API_DOMAIN = "aws:apigateway/domainName:DomainName"
API_STAGE = "aws:apigateway/stage:Stage"
REST_API = "aws:apigateway/restApi:RestApi"
REST_API_POLICY = "aws:apigateway/restApiPolicy:RestApiPolicy"

# aws:autoscaling
ASG = "aws:autoscaling/group:Group"

# aws:appautoscaling
SCALING_TARGET = "aws:appautoscaling/target:Target"

# aws:backup
BACKUP_PLAN = "aws:backup/plan:Plan"
BACKUP_SELECTION = "aws:backup/selection:Selection"
BACKUP_VAULT = "aws:backup/vault:Vault"
VAULT_POLICY = "aws:backup/vaultPolicy:VaultPolicy"

# aws:budgets
BUDGET = "aws:budgets/budget:Budget"

# aws:cfg
CONFIG_RECORDER = "aws:cfg/recorder:Recorder"
DELIVERY_CHANNEL = "aws:cfg/deliveryChannel:DeliveryChannel"
RECORDER_STATUS = "aws:cfg/recorderStatus:RecorderStatus"

# aws:cloudtrail
TRAIL = "aws:cloudtrail/trail:Trail"

# aws:cloudwatch
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
EVENT_BUS_POLICY = "aws:cloudwatch/eventBusPolicy:EventBusPolicy"
LOG_DESTINATION_POLICY = "aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
LOG_RESOURCE_POLICY = "aws:cloudwatch/logResourcePolicy:LogResourcePolicy"
LOG_STREAM = "aws:cloudwatch/logStream:LogStream"
METRIC_FILTER = "aws:cloudwatch/logMetricFilter:LogMetricFilter"

# aws:codeartifact
DOMAIN_PERMISSIONS = "aws:codeartifact/domainPermissions:DomainPermissions"
REPOSITORY_PERMISSIONS_POLICY = "aws:codeartifact/repositoryPermissionsPolicy:RepositoryPermissionsPolicy"

# aws:codebuild
CODEBUILD_RESOURCE_POLICY = "aws:codebuild/resourcePolicy:ResourcePolicy"

# aws:detective
DETECTIVE_ORGANIZATION_ADMIN_ACCOUNT = "aws:detective/organizationAdminAccount:OrganizationAdminAccount"

# aws:directconnect
DX_ASSOCIATION = "aws:directconnect/gatewayAssociation:GatewayAssociation"
DX_GATEWAY = "aws:directconnect/gateway:Gateway"

# aws:dsql
DSQL_CLUSTER_POLICY = "aws:dsql/clusterPolicy:ClusterPolicy"

# aws:dynamodb
RESOURCE_POLICY = "aws:dynamodb/resourcePolicy:ResourcePolicy"

# aws:ebs
EBS_DEFAULT_ENCRYPTION = "aws:ebs/encryptionByDefault:EncryptionByDefault"
EBS_VOLUME = "aws:ebs/volume:Volume"

# aws:ec2
AMI_TOKEN = "aws:ec2/getAmi:getAmi"
DEFAULT_NACL = "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
IGW = "aws:ec2/internetGateway:InternetGateway"
INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
NACL = "aws:ec2/networkAcl:NetworkAcl"
NACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"
NAT = "aws:ec2/natGateway:NatGateway"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
SG = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SUBNET = "aws:ec2/subnet:Subnet"
VOLUME_ATTACHMENT = "aws:ec2/volumeAttachment:VolumeAttachment"
VPC = "aws:ec2/vpc:Vpc"
VPC_CIDR_ASSOCIATION = "aws:ec2/vpcIpv4CidrBlockAssociation:VpcIpv4CidrBlockAssociation"
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
VPC_ENDPOINT_POLICY = "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy"
VPN_CONNECTION = "aws:ec2/vpnConnection:VpnConnection"

# aws:ec2clientvpn
CLIENT_VPN = "aws:ec2clientvpn/endpoint:Endpoint"
CLIENT_VPN_AUTHORIZATION = "aws:ec2clientvpn/authorizationRule:AuthorizationRule"
CLIENT_VPN_ASSOCIATION = "aws:ec2clientvpn/networkAssociation:NetworkAssociation"

# aws:ec2transitgateway
ASSOCIATION = "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation"
CONNECT_ATTACHMENT = "aws:ec2transitgateway/connect:Connect"
PEERING_ACCEPTER = "aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter"
PEERING_ATTACHMENT = "aws:ec2transitgateway/peeringAttachment:PeeringAttachment"
PROPAGATION = "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation"
TGW = "aws:ec2transitgateway/transitGateway:TransitGateway"
TGW_ROUTE = "aws:ec2transitgateway/route:Route"
TGW_ROUTE_TABLE = "aws:ec2transitgateway/routeTable:RouteTable"
VPC_ATTACHMENT = "aws:ec2transitgateway/vpcAttachment:VpcAttachment"
VPC_ATTACHMENT_ACCEPTER = "aws:ec2transitgateway/vpcAttachmentAccepter:VpcAttachmentAccepter"

# aws:ecr
ECR_REPLICATION = "aws:ecr/replicationConfiguration:ReplicationConfiguration"
ECR_LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
ECR_REPOSITORY = "aws:ecr/repository:Repository"
REGISTRY_POLICY = "aws:ecr/registryPolicy:RegistryPolicy"
REPOSITORY_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy"

# aws:ecrpublic
ECRPUBLIC_REPOSITORY_POLICY = "aws:ecrpublic/repositoryPolicy:RepositoryPolicy"

# aws:ecs
ECS_CAPACITY_PROVIDERS = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
ECS_CLUSTER = "aws:ecs/cluster:Cluster"
ECS_SERVICE = "aws:ecs/service:Service"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"

# aws:efs
EFS = "aws:efs/fileSystem:FileSystem"
FILE_SYSTEM_POLICY = "aws:efs/fileSystemPolicy:FileSystemPolicy"

# aws:eks
EKS_CLUSTER = "aws:eks/cluster:Cluster"
EKS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"

# aws:elasticache
REDIS_GLOBAL = "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup"
REDIS_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"

# aws:elasticsearch
ELASTICSEARCH_DOMAIN = "aws:elasticsearch/domain:Domain"
ELASTICSEARCH_DOMAIN_POLICY = "aws:elasticsearch/domainPolicy:DomainPolicy"

# aws:glacier
VAULT = "aws:glacier/vault:Vault"

# aws:glue
GLUE_RESOURCE_POLICY = "aws:glue/resourcePolicy:ResourcePolicy"

# aws:guardduty
GD_FEATURE = "aws:guardduty/detectorFeature:DetectorFeature"
GD_ORG_FEATURE = "aws:guardduty/organizationConfigurationFeature:OrganizationConfigurationFeature"
GUARDDUTY = "aws:guardduty/detector:Detector"
GUARDDUTY_ADMIN = "aws:guardduty/organizationAdminAccount:OrganizationAdminAccount"
GUARDDUTY_EXPORT = "aws:guardduty/publishingDestination:PublishingDestination"
GUARDDUTY_ORG = "aws:guardduty/organizationConfiguration:OrganizationConfiguration"

# aws:iam
ACCESS_KEY = "aws:iam/accessKey:AccessKey"
GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy"
POLICY = "aws:iam/policy:Policy"
ROLE = "aws:iam/role:Role"
ROLE_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
SAML_PROVIDER = "aws:iam/samlProvider:SamlProvider"
USER = "aws:iam/user:User"
USER_POLICY = "aws:iam/userPolicy:UserPolicy"

# aws:index
GET_AVAILABILITY_ZONES = "aws:index/getAvailabilityZones:getAvailabilityZones"
GET_CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity"
GET_PARTITION = "aws:index/getPartition:getPartition"
GET_REGION = "aws:index/getRegion:getRegion"

# aws:inspector2
INSPECTOR = "aws:inspector2/enabler:Enabler"
INSPECTOR_ADMIN = "aws:inspector2/delegatedAdminAccount:DelegatedAdminAccount"
INSPECTOR_ORG = "aws:inspector2/organizationConfiguration:OrganizationConfiguration"

# aws:kinesis
FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
KINESIS_RESOURCE_POLICY = "aws:kinesis/resourcePolicy:ResourcePolicy"

# aws:kms
DSSE = "aws:kms:dsse"
KMS_ALIAS = "aws:kms/alias:Alias"
KMS_KEY = "aws:kms/key:Key"
KMS_KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
KMS_REPLICA_KEY = "aws:kms/replicaKey:ReplicaKey"

# aws:lambda
LAMBDA_PERMISSION = "aws:lambda/permission:Permission"
LAMBDA_RESOURCE_POLICY = "aws:lambda/resourcePolicy:ResourcePolicy"

# aws:lb
LISTENER = "aws:lb/listener:Listener"
LISTENER_CERTIFICATE = "aws:lb/listenerCertificate:ListenerCertificate"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"

# aws:macie2
ORGANIZATION_ADMIN_ACCOUNT = "aws:macie2/organizationAdminAccount:OrganizationAdminAccount"

# aws:mediastore
CONTAINER_POLICY = "aws:mediastore/containerPolicy:ContainerPolicy"

# aws:msk
CLUSTER_POLICY = "aws:msk/clusterPolicy:ClusterPolicy"

# aws:networkfirewall
NETWORKFIREWALL_RESOURCE_POLICY = "aws:networkfirewall/resourcePolicy:ResourcePolicy"

# aws:oam
SINK_POLICY = "aws:oam/sinkPolicy:SinkPolicy"

# aws:opensearch
DOMAIN = "aws:opensearch/domain:Domain"
DOMAIN_POLICY = "aws:opensearch/domainPolicy:DomainPolicy"

# aws:organizations
ORGANIZATION = "aws:organizations/organization:Organization"
ORGANIZATIONS_RESOURCE_POLICY = "aws:organizations/resourcePolicy:ResourcePolicy"
ORG_ACCOUNT = "aws:organizations/account:Account"
ORG_DELEGATED_ADMIN = "aws:organizations/delegatedAdministrator:DelegatedAdministrator"
ORG_POLICY = "aws:organizations/policy:Policy"
ORG_POLICY_ATTACHMENT = "aws:organizations/policyAttachment:PolicyAttachment"
ORG_UNIT = "aws:organizations/organizationalUnit:OrganizationalUnit"

# aws:ram
RAM_ORG_SHARING = "aws:ram/sharingWithOrganization:SharingWithOrganization"
RAM_PRINCIPAL = "aws:ram/principalAssociation:PrincipalAssociation"
RAM_RESOURCE = "aws:ram/resourceAssociation:ResourceAssociation"
RAM_SHARE = "aws:ram/resourceShare:ResourceShare"

# aws:rds
RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
RDS_GLOBAL_CLUSTER = "aws:rds/globalCluster:GlobalCluster"
RDS_INSTANCE = "aws:rds/instance:Instance"

# aws:redshift
REDSHIFT_RESOURCE_POLICY = "aws:redshift/resourcePolicy:ResourcePolicy"

# aws:redshiftserverless
REDSHIFTSERVERLESS_RESOURCE_POLICY = "aws:redshiftserverless/resourcePolicy:ResourcePolicy"

# aws:route53
ROUTE53_HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck"
ROUTE53_RECORD = "aws:route53/record:Record"
GET_ZONE = "aws:route53/getZone:getZone"
RESOLVER_ENDPOINT = "aws:route53/resolverEndpoint:ResolverEndpoint"
RESOLVER_RULE = "aws:route53/resolverRule:ResolverRule"
QUERY_LOG_ASSOCIATION = "aws:route53/resolverQueryLogConfigAssociation:ResolverQueryLogConfigAssociation"
FIREWALL_ASSOCIATION = "aws:route53/resolverFirewallRuleGroupAssociation:ResolverFirewallRuleGroupAssociation"
FIREWALL_RULE = "aws:route53/resolverFirewallRule:ResolverFirewallRule"
FIREWALL_GROUP = "aws:route53/resolverFirewallRuleGroup:ResolverFirewallRuleGroup"
RULE_ASSOCIATION = "aws:route53/resolverRuleAssociation:ResolverRuleAssociation"
QUERY_LOG = "aws:route53/queryLog:QueryLog"
QUERY_LOG_CONFIG = "aws:route53/resolverQueryLogConfig:ResolverQueryLogConfig"
ZONE = "aws:route53/zone:Zone"

# aws:s3
ACCOUNT_PAB = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_ACL = "aws:s3/bucketAcl:BucketAcl"
S3_BUCKET_LOGGING = "aws:s3/bucketLogging:BucketLogging"
BUCKET_LOGGING_V2 = "aws:s3/bucketLoggingV2:BucketLoggingV2"
BUCKET_OBJECT_LOCK_CONFIGURATION = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
BUCKET_OBJECT_LOCK_CONFIGURATION_V2 = "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2"
BUCKET_PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
BUCKET_SERVER_SIDE_ENCRYPTION_CONFIGURATION_V2 = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
S3_SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"

# aws:s3control
ACCESS_POINT_POLICY = "aws:s3control/accessPointPolicy:AccessPointPolicy"
OBJECT_LAMBDA_ACCESS_POINT_POLICY = "aws:s3control/objectLambdaAccessPointPolicy:ObjectLambdaAccessPointPolicy"
S3CONTROL_BUCKET_POLICY = "aws:s3control/bucketPolicy:BucketPolicy"

# aws:s3tables
TABLE_BUCKET_POLICY = "aws:s3tables/tableBucketPolicy:TableBucketPolicy"
TABLE_POLICY = "aws:s3tables/tablePolicy:TablePolicy"

# aws:schemas
SCHEMAS_REGISTRY_POLICY = "aws:schemas/registryPolicy:RegistryPolicy"

# aws:secretsmanager
GET_RANDOM_PASSWORD = "aws:secretsmanager/getRandomPassword:getRandomPassword"
ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
SECRET = "aws:secretsmanager/secret:Secret"
SECRET_POLICY = "aws:secretsmanager/secretPolicy:SecretPolicy"

# aws:securityhub
HUB_POLICY = "aws:securityhub/configurationPolicy:ConfigurationPolicy"
HUB_POLICY_ASSOCIATION = "aws:securityhub/configurationPolicyAssociation:ConfigurationPolicyAssociation"
HUB_STANDARD = "aws:securityhub/standardsSubscription:StandardsSubscription"
SECURITY_HUB = "aws:securityhub/account:Account"
SECURITY_HUB_ADMIN = "aws:securityhub/organizationAdminAccount:OrganizationAdminAccount"
SECURITY_HUB_AGGREGATOR = "aws:securityhub/findingAggregator:FindingAggregator"
SECURITY_HUB_ORG = "aws:securityhub/organizationConfiguration:OrganizationConfiguration"

# aws:ses
IDENTITY_POLICY = "aws:ses/identityPolicy:IdentityPolicy"

# aws:sesv2
EMAIL_IDENTITY_POLICY = "aws:sesv2/emailIdentityPolicy:EmailIdentityPolicy"

# aws:sns
SNS_TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"

# aws:sqs
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"
SQS = "aws:sqs/queue:Queue"

# aws:ssm
SSM_PARAMETER = "aws:ssm/parameter:Parameter"
SSM_PARAMETER_TOKEN = "aws:ssm/getParameter:getParameter"

# aws:ssoadmin
ACCOUNT_ASSIGNMENT = "aws:ssoadmin/accountAssignment:AccountAssignment"
CUSTOMER_MANAGED_POLICY_ATTACHMENT = "aws:ssoadmin/customerManagedPolicyAttachment:CustomerManagedPolicyAttachment"
PERMISSIONS_BOUNDARY_ATTACHMENT = "aws:ssoadmin/permissionsBoundaryAttachment:PermissionsBoundaryAttachment"
PERMISSION_SET = "aws:ssoadmin/permissionSet:PermissionSet"
SSO_INLINE = "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy"
SSO_MANAGED = "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment"

# aws:vpc
VPC_EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
VPC_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"

# aws:vpclattice
AUTH_POLICY = "aws:vpclattice/authPolicy:AuthPolicy"
VPCLATTICE_RESOURCE_POLICY = "aws:vpclattice/resourcePolicy:ResourcePolicy"

# aws:wafv2
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
WEB_ACL_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
WEB_ACL_LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"

# aws:xray
XRAY_RESOURCE_POLICY = "aws:xray/resourcePolicy:ResourcePolicy"

# eks:index
EKS_COMPONENT = "eks:index:Cluster"

# landing-zone:index
LOOKUP = "landing-zone:index:Lookup"
REGIONS = "landing-zone:index:Regions"

# pulumi:providers
PROVIDER = "pulumi:providers:aws"

# pulumi:pulumi
STACK_REFERENCE = "pulumi:pulumi:StackReference"  # a read of another stack's outputs (split organizations)

# Types of the class rules (access analysis, data stores, general rules), by module.
AMI_LAUNCH_PERMISSION = "aws:ec2/amiLaunchPermission:AmiLaunchPermission"
SNAPSHOT_CREATE_VOLUME_PERMISSION = "aws:ec2/snapshotCreateVolumePermission:SnapshotCreateVolumePermission"
VPC_PEERING = "aws:ec2/vpcPeeringConnection:VpcPeeringConnection"
EVENT_PERMISSION = "aws:cloudwatch/eventPermission:EventPermission"
KMS_GRANT = "aws:kms/grant:Grant"
LAMBDA_FUNCTION = "aws:lambda/function:Function"
LAMBDA_FUNCTION_URL = "aws:lambda/functionUrl:FunctionUrl"
RDS_SNAPSHOT = "aws:rds/snapshot:Snapshot"
RDS_CLUSTER_SNAPSHOT = "aws:rds/clusterSnapshot:ClusterSnapshot"
SSM_DOCUMENT = "aws:ssm/document:Document"
PASSWORD_POLICY = "aws:iam/accountPasswordPolicy:AccountPasswordPolicy"
FIREWALL_CONFIG = "aws:route53/resolverFirewallConfig:ResolverFirewallConfig"
CODEBUILD_PROJECT = "aws:codebuild/project:Project"
BATCH_JOB_DEFINITION = "aws:batch/jobDefinition:JobDefinition"
APPRUNNER_SERVICE = "aws:apprunner/service:Service"
DYNAMODB_TABLE = "aws:dynamodb/table:Table"
DAX_CLUSTER = "aws:dax/cluster:Cluster"
DOCDB_CLUSTER = "aws:docdb/cluster:Cluster"
DOCDB_ELASTIC_CLUSTER = "aws:docdb/elasticCluster:ElasticCluster"
NEPTUNE_CLUSTER = "aws:neptune/cluster:Cluster"
REDSHIFT_CLUSTER = "aws:redshift/cluster:Cluster"
REDSHIFTSERVERLESS_NAMESPACE = "aws:redshiftserverless/namespace:Namespace"
REDSHIFTSERVERLESS_WORKGROUP = "aws:redshiftserverless/workgroup:Workgroup"
ELASTICACHE_CLUSTER = "aws:elasticache/cluster:Cluster"
ELASTICACHE_SERVERLESS = "aws:elasticache/serverlessCache:ServerlessCache"
MEMORYDB_CLUSTER = "aws:memorydb/cluster:Cluster"
FSX_LUSTRE = "aws:fsx/lustreFileSystem:LustreFileSystem"
FSX_WINDOWS = "aws:fsx/windowsFileSystem:WindowsFileSystem"
FSX_ONTAP = "aws:fsx/ontapFileSystem:OntapFileSystem"
FSX_OPENZFS = "aws:fsx/openZfsFileSystem:OpenZfsFileSystem"
MSK_CLUSTER = "aws:msk/cluster:Cluster"
MSK_SERVERLESS = "aws:msk/serverlessCluster:ServerlessCluster"
KINESIS_STREAM = "aws:kinesis/stream:Stream"
TIMESTREAM_DATABASE = "aws:timestreamwrite/database:Database"
KEYSPACES_TABLE = "aws:keyspaces/table:Table"
GLUE_CATALOG_ENCRYPTION = "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings"
GLUE_CATALOG_DATABASE = "aws:glue/catalogDatabase:CatalogDatabase"

# Families: the same resource under its current and legacy (or alias) type.
BUCKETS = (BUCKET, BUCKET_V2)
BUCKET_LOGGING = (S3_BUCKET_LOGGING, BUCKET_LOGGING_V2)
BUCKET_SSE = (S3_SSE, BUCKET_SERVER_SIDE_ENCRYPTION_CONFIGURATION_V2)
LISTENERS = (LISTENER, ALB_LISTENER)
LISTENER_CERTIFICATES = (LISTENER_CERTIFICATE, ALB_LISTENER_CERTIFICATE)
LOAD_BALANCERS = (LOAD_BALANCER, ALB_LOAD_BALANCER)
OBJECT_LOCK_CONFIGS = (BUCKET_OBJECT_LOCK_CONFIGURATION, BUCKET_OBJECT_LOCK_CONFIGURATION_V2)


def short_type(type_: str) -> str:
    """aws:ec2/securityGroup:SecurityGroup -> ec2/securityGroup (the catalogue's notation)."""
    parts = type_.split(":")
    return parts[1] if len(parts) == 3 else type_
