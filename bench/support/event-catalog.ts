/**
 * The vocabulary of the synthetic event generator: 40 event sources with about 300 real API
 * action names, the resource type each service's write calls touch, user agents and error codes.
 * Frequencies are skewed the way real accounts are (Describe/List/Get calls dominate).
 */
export interface ServiceSpec {
  source: string;
  /** Host part used in tlsDetails.clientProvidedHostHeader, e.g. `ec2` → ec2.us-east-1.amazonaws.com. */
  host: string;
  actions: string[];
  resourceType: string;
  /** ARN of resource `id` in this service. */
  arn(account: string, region: string, id: string): string;
  idPrefix: string;
  weight: number;
}

const regional = (svc: string, kind: string) => (account: string, region: string, id: string) =>
  `arn:aws:${svc}:${region}:${account}:${kind}${id}`;
const global = (svc: string, kind: string) => (account: string, _region: string, id: string) =>
  `arn:aws:${svc}::${account}:${kind}${id}`;

function service(
  name: string,
  weight: number,
  resourceType: string,
  arn: ServiceSpec["arn"],
  idPrefix: string,
  actions: string,
  host = name,
): ServiceSpec {
  return {
    source: `${name}.amazonaws.com`,
    host,
    actions: actions.split(" "),
    resourceType,
    arn,
    idPrefix,
    weight,
  };
}

export const SERVICES: ServiceSpec[] = [
  service(
    "ec2",
    30,
    "AWS::EC2::Instance",
    regional("ec2", "instance/"),
    "i-",
    "DescribeInstances DescribeInstanceStatus DescribeVolumes DescribeSnapshots DescribeSecurityGroups DescribeSubnets DescribeVpcs DescribeImages DescribeNetworkInterfaces DescribeAddresses DescribeTags DescribeKeyPairs DescribeRouteTables DescribeLaunchTemplates RunInstances StartInstances StopInstances TerminateInstances CreateTags DeleteTags CreateSecurityGroup AuthorizeSecurityGroupIngress RevokeSecurityGroupIngress CreateVolume AttachVolume CreateSnapshot ModifyInstanceAttribute",
  ),
  service(
    "s3",
    18,
    "AWS::S3::Bucket",
    (_a, _r, id) => `arn:aws:s3:::${id}`,
    "bucket-",
    "ListBuckets GetBucketLocation GetBucketPolicy GetBucketAcl GetBucketVersioning GetBucketEncryption GetBucketTagging GetBucketLogging GetBucketLifecycle GetBucketPublicAccessBlock HeadBucket CreateBucket DeleteBucket PutBucketPolicy PutBucketTagging PutBucketEncryption PutBucketVersioning PutBucketPublicAccessBlock DeleteBucketPolicy",
  ),
  service(
    "iam",
    12,
    "AWS::IAM::Role",
    global("iam", "role/"),
    "role-",
    "GetUser ListUsers GetRole ListRoles ListPolicies GetPolicy GetPolicyVersion ListAttachedRolePolicies ListRolePolicies ListAccessKeys GetAccountSummary ListGroups CreateRole DeleteRole AttachRolePolicy DetachRolePolicy PutRolePolicy CreateUser DeleteUser CreateAccessKey DeleteAccessKey UpdateAssumeRolePolicy TagRole",
    "iam",
  ),
  service(
    "sts",
    14,
    "AWS::IAM::Role",
    global("iam", "role/"),
    "role-",
    "AssumeRole GetCallerIdentity GetSessionToken AssumeRoleWithWebIdentity AssumeRoleWithSAML DecodeAuthorizationMessage",
  ),
  service(
    "lambda",
    6,
    "AWS::Lambda::Function",
    regional("lambda", "function:"),
    "fn-",
    "ListFunctions20150331 GetFunction20150331v2 GetFunctionConfiguration20150331v2 ListVersionsByFunction20150331 GetPolicy20150331v2 CreateFunction20150331 UpdateFunctionCode20150331v2 UpdateFunctionConfiguration20150331v2 DeleteFunction20150331 AddPermission20150331v2 PublishVersion20150331",
  ),
  service(
    "kms",
    8,
    "AWS::KMS::Key",
    regional("kms", "key/"),
    "",
    "Decrypt Encrypt GenerateDataKey DescribeKey ListKeys ListAliases GetKeyPolicy GetKeyRotationStatus ListResourceTags CreateKey ScheduleKeyDeletion PutKeyPolicy EnableKeyRotation CreateGrant RetireGrant",
  ),
  service(
    "cloudtrail",
    2,
    "AWS::CloudTrail::Trail",
    regional("cloudtrail", "trail/"),
    "trail-",
    "DescribeTrails GetTrailStatus GetEventSelectors LookupEvents ListTrails GetTrail CreateTrail UpdateTrail StartLogging StopLogging DeleteTrail PutEventSelectors",
  ),
  service(
    "rds",
    4,
    "AWS::RDS::DBInstance",
    regional("rds", "db:"),
    "db-",
    "DescribeDBInstances DescribeDBClusters DescribeDBSnapshots DescribeDBParameterGroups DescribeEvents ListTagsForResource CreateDBInstance DeleteDBInstance ModifyDBInstance CreateDBSnapshot RebootDBInstance",
  ),
  service(
    "dynamodb",
    4,
    "AWS::DynamoDB::Table",
    regional("dynamodb", "table/"),
    "tbl-",
    "DescribeTable ListTables DescribeContinuousBackups DescribeTimeToLive ListTagsOfResource CreateTable DeleteTable UpdateTable UpdateTimeToLive",
  ),
  service(
    "sns",
    2,
    "AWS::SNS::Topic",
    regional("sns", ""),
    "topic-",
    "ListTopics GetTopicAttributes ListSubscriptionsByTopic CreateTopic DeleteTopic Subscribe SetTopicAttributes",
  ),
  service(
    "sqs",
    3,
    "AWS::SQS::Queue",
    regional("sqs", ""),
    "queue-",
    "ListQueues GetQueueAttributes GetQueueUrl CreateQueue DeleteQueue SetQueueAttributes PurgeQueue",
  ),
  service(
    "logs",
    6,
    "AWS::Logs::LogGroup",
    regional("logs", "log-group:"),
    "/app/",
    "DescribeLogGroups DescribeLogStreams DescribeMetricFilters DescribeSubscriptionFilters CreateLogGroup DeleteLogGroup PutRetentionPolicy CreateLogStream",
  ),
  service(
    "monitoring",
    5,
    "AWS::CloudWatch::Alarm",
    regional("cloudwatch", "alarm:"),
    "alarm-",
    "DescribeAlarms GetMetricStatistics ListMetrics GetMetricData DescribeAlarmHistory PutMetricAlarm DeleteAlarms",
  ),
  service(
    "ssm",
    7,
    "AWS::SSM::Parameter",
    regional("ssm", "parameter/"),
    "param-",
    "GetParameter GetParameters GetParametersByPath DescribeParameters DescribeInstanceInformation ListCommands UpdateInstanceInformation PutParameter DeleteParameter SendCommand StartSession",
  ),
  service(
    "secretsmanager",
    4,
    "AWS::SecretsManager::Secret",
    regional("secretsmanager", "secret:"),
    "secret-",
    "GetSecretValue DescribeSecret ListSecrets GetResourcePolicy CreateSecret DeleteSecret PutSecretValue RotateSecret",
  ),
  service(
    "ecs",
    3,
    "AWS::ECS::Service",
    regional("ecs", "service/"),
    "svc-",
    "DescribeServices DescribeClusters ListServices ListTasks DescribeTaskDefinition CreateService UpdateService RegisterTaskDefinition",
  ),
  service(
    "eks",
    2,
    "AWS::EKS::Cluster",
    regional("eks", "cluster/"),
    "eks-",
    "DescribeCluster ListClusters ListNodegroups DescribeNodegroup CreateCluster UpdateClusterConfig",
  ),
  service(
    "ecr",
    3,
    "AWS::ECR::Repository",
    regional("ecr", "repository/"),
    "repo-",
    "DescribeRepositories ListImages DescribeImages GetAuthorizationToken BatchGetImage GetDownloadUrlForLayer CreateRepository DeleteRepository PutImage",
  ),
  service(
    "cloudformation",
    3,
    "AWS::CloudFormation::Stack",
    regional("cloudformation", "stack/"),
    "stack-",
    "DescribeStacks ListStacks DescribeStackEvents DescribeStackResources GetTemplate CreateStack UpdateStack DeleteStack",
  ),
  service(
    "elasticloadbalancing",
    2,
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    regional("elasticloadbalancing", "loadbalancer/app/"),
    "lb-",
    "DescribeLoadBalancers DescribeTargetGroups DescribeTargetHealth DescribeListeners CreateLoadBalancer DeleteLoadBalancer RegisterTargets",
  ),
  service(
    "autoscaling",
    2,
    "AWS::AutoScaling::AutoScalingGroup",
    regional("autoscaling", "autoScalingGroup:"),
    "asg-",
    "DescribeAutoScalingGroups DescribeScalingActivities DescribeLaunchConfigurations UpdateAutoScalingGroup SetDesiredCapacity",
  ),
  service(
    "route53",
    1,
    "AWS::Route53::HostedZone",
    global("route53", "hostedzone/"),
    "Z",
    "ListHostedZones GetHostedZone ListResourceRecordSets ChangeResourceRecordSets CreateHostedZone",
  ),
  service(
    "cloudfront",
    1,
    "AWS::CloudFront::Distribution",
    global("cloudfront", "distribution/"),
    "E",
    "ListDistributions GetDistribution GetDistributionConfig UpdateDistribution CreateInvalidation",
  ),
  service(
    "apigateway",
    1,
    "AWS::ApiGateway::RestApi",
    regional("apigateway", "/restapis/"),
    "api-",
    "GetRestApis GetResources GetStages CreateDeployment UpdateStage",
  ),
  service(
    "events",
    2,
    "AWS::Events::Rule",
    regional("events", "rule/"),
    "rule-",
    "ListRules DescribeRule ListTargetsByRule PutRule PutTargets DeleteRule",
  ),
  service(
    "states",
    1,
    "AWS::StepFunctions::StateMachine",
    regional("states", "stateMachine:"),
    "sm-",
    "ListStateMachines DescribeStateMachine StartExecution DescribeExecution",
  ),
  service(
    "glue",
    1,
    "AWS::Glue::Job",
    regional("glue", "job/"),
    "job-",
    "GetDatabases GetTables GetJobs GetJobRuns StartJobRun",
  ),
  service(
    "athena",
    1,
    "AWS::Athena::WorkGroup",
    regional("athena", "workgroup/"),
    "wg-",
    "StartQueryExecution GetQueryExecution GetQueryResults ListWorkGroups",
  ),
  service(
    "kinesis",
    1,
    "AWS::Kinesis::Stream",
    regional("kinesis", "stream/"),
    "stream-",
    "DescribeStream ListStreams DescribeStreamSummary CreateStream",
  ),
  service(
    "firehose",
    1,
    "AWS::KinesisFirehose::DeliveryStream",
    regional("firehose", "deliverystream/"),
    "ds-",
    "DescribeDeliveryStream ListDeliveryStreams UpdateDestination",
  ),
  service(
    "sso",
    1,
    "AWS::SSO::PermissionSet",
    global("sso", "permissionSet/"),
    "ps-",
    "ListPermissionSets DescribePermissionSet ListAccountAssignments CreateAccountAssignment",
  ),
  service(
    "organizations",
    1,
    "AWS::Organizations::Account",
    global("organizations", "account/"),
    "acct-",
    "DescribeOrganization ListAccounts ListRoots DescribeAccount",
  ),
  service(
    "config",
    2,
    "AWS::Config::ConfigRule",
    regional("config", "config-rule/"),
    "rule-",
    "DescribeConfigRules DescribeComplianceByConfigRule DescribeConfigurationRecorders PutEvaluations PutConfigRule",
  ),
  service(
    "guardduty",
    1,
    "AWS::GuardDuty::Detector",
    regional("guardduty", "detector/"),
    "det-",
    "ListDetectors GetDetector ListFindings GetFindings UpdateDetector",
  ),
  service(
    "securityhub",
    1,
    "AWS::SecurityHub::Hub",
    regional("securityhub", "hub/"),
    "hub-",
    "GetFindings DescribeHub GetEnabledStandards BatchImportFindings",
  ),
  service(
    "backup",
    1,
    "AWS::Backup::BackupVault",
    regional("backup", "backup-vault:"),
    "vault-",
    "ListBackupJobs ListBackupVaults DescribeBackupVault StartBackupJob",
  ),
  service(
    "elasticfilesystem",
    1,
    "AWS::EFS::FileSystem",
    regional("elasticfilesystem", "file-system/"),
    "fs-",
    "DescribeFileSystems DescribeMountTargets CreateFileSystem",
  ),
  service(
    "acm",
    1,
    "AWS::ACM::Certificate",
    regional("acm", "certificate/"),
    "",
    "ListCertificates DescribeCertificate RequestCertificate",
  ),
  service(
    "wafv2",
    1,
    "AWS::WAFv2::WebACL",
    regional("wafv2", "regional/webacl/"),
    "acl-",
    "ListWebACLs GetWebACL UpdateWebACL",
  ),
  service(
    "codebuild",
    1,
    "AWS::CodeBuild::Project",
    regional("codebuild", "project/"),
    "proj-",
    "BatchGetProjects ListProjects StartBuild BatchGetBuilds",
  ),
];

export const READ_PREFIXES = ["Describe", "List", "Get", "Head", "Lookup", "BatchGet", "Decode"];

export function isReadOnly(action: string): boolean {
  return (
    READ_PREFIXES.some((p) => action.startsWith(p)) || action === "Decrypt" || action === "GenerateDataKey"
  );
}

export const USER_AGENTS = [
  "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1014-aws exe/x86_64.ubuntu.22 prompt/off command/ec2.describe-instances",
  "aws-cli/2.13.5 Python/3.11.4 Linux/4.14.255-314-253.539.amzn2.x86_64 exec-env/CloudShell exe/x86_64.amzn.2 prompt/off",
  "aws-cli/1.29.62 Python/3.9.16 Linux/5.10.198-187.748.amzn2.x86_64 botocore/1.31.62",
  "Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#5.15.0-1051-aws md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.51",
  "Boto3/1.28.62 Python/3.10.12 Linux/5.15.0-86-generic Botocore/1.31.62",
  "[APN/1.0 HashiCorp/1.0 Terraform/1.6.6 (+https://www.terraform.io) terraform-provider-aws/5.31.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.49.13 (go1.21.5; linux; amd64)]",
  "aws-sdk-java/2.21.29 Linux/5.10.201-191.748.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.9+8-LTS Java/17.0.9 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
  "aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21.5 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.141.0",
  "aws-sdk-js/3.490.0 ua/2.0 os/linux#5.10.205-195.804.amzn2.x86_64 lang/js md/nodejs#20.10.0 api/s3#3.490.0",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36 Edg/121.0.0.0",
  "AWS Internal",
  "console.amazonaws.com",
  "cloudformation.amazonaws.com",
  "Amazon-SSM-Agent/3.2.2143.0 (Linux 5.10.205-195.804.amzn2.x86_64)",
  "kubernetes/v1.28.5-eks-5e0fdde aws-sdk-go/1.48.6 (go1.20.12; linux; amd64)",
  "Datadog/AWS-Integration aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21.5",
  "Wiz/1.0 aws-sdk-go/1.49.6 (go1.21.5; linux; amd64)",
  "S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488 Linux/5.10.184-152.731.amzn2int.x86_64",
  "aws-sdk-nodejs/2.1520.0 linux/v18.18.2 exec-env/AWS_Lambda_nodejs18.x callback",
];

export const ERROR_CODES: Array<[code: string, message: (arn: string, action: string) => string]> = [
  [
    "AccessDenied",
    (arn, action) =>
      `User: ${arn} is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`,
  ],
  ["Client.UnauthorizedOperation", () => "You are not authorized to perform this operation."],
  ["ThrottlingException", () => "Rate exceeded"],
  ["ResourceNotFoundException", () => "Requested resource not found"],
  ["ValidationException", () => "1 validation error detected"],
];
