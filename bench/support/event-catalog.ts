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

// host | relative weight | resource type | ARN template | resource id prefix | actions
const TABLE = `
ec2|30|AWS::EC2::Instance|arn:aws:ec2:{region}:{account}:instance/{id}|i-|DescribeInstances DescribeInstanceStatus DescribeVolumes DescribeSnapshots DescribeSecurityGroups DescribeSubnets DescribeVpcs DescribeImages DescribeNetworkInterfaces DescribeAddresses DescribeTags DescribeKeyPairs DescribeRouteTables DescribeLaunchTemplates RunInstances StartInstances StopInstances TerminateInstances CreateTags DeleteTags CreateSecurityGroup AuthorizeSecurityGroupIngress RevokeSecurityGroupIngress CreateVolume AttachVolume CreateSnapshot ModifyInstanceAttribute
s3|18|AWS::S3::Bucket|arn:aws:s3:::{id}|bucket-|ListBuckets GetBucketLocation GetBucketPolicy GetBucketAcl GetBucketVersioning GetBucketEncryption GetBucketTagging GetBucketLogging GetBucketLifecycle GetBucketPublicAccessBlock HeadBucket CreateBucket DeleteBucket PutBucketPolicy PutBucketTagging PutBucketEncryption PutBucketVersioning PutBucketPublicAccessBlock DeleteBucketPolicy
iam|12|AWS::IAM::Role|arn:aws:iam::{account}:role/{id}|role-|GetUser ListUsers GetRole ListRoles ListPolicies GetPolicy GetPolicyVersion ListAttachedRolePolicies ListRolePolicies ListAccessKeys GetAccountSummary ListGroups CreateRole DeleteRole AttachRolePolicy DetachRolePolicy PutRolePolicy CreateUser DeleteUser CreateAccessKey DeleteAccessKey UpdateAssumeRolePolicy TagRole
sts|14|AWS::IAM::Role|arn:aws:iam::{account}:role/{id}|role-|AssumeRole GetCallerIdentity GetSessionToken AssumeRoleWithWebIdentity AssumeRoleWithSAML DecodeAuthorizationMessage
lambda|6|AWS::Lambda::Function|arn:aws:lambda:{region}:{account}:function:{id}|fn-|ListFunctions20150331 GetFunction20150331v2 GetFunctionConfiguration20150331v2 ListVersionsByFunction20150331 GetPolicy20150331v2 CreateFunction20150331 UpdateFunctionCode20150331v2 UpdateFunctionConfiguration20150331v2 DeleteFunction20150331 AddPermission20150331v2 PublishVersion20150331
kms|8|AWS::KMS::Key|arn:aws:kms:{region}:{account}:key/{id}||Decrypt Encrypt GenerateDataKey DescribeKey ListKeys ListAliases GetKeyPolicy GetKeyRotationStatus ListResourceTags CreateKey ScheduleKeyDeletion PutKeyPolicy EnableKeyRotation CreateGrant RetireGrant
cloudtrail|2|AWS::CloudTrail::Trail|arn:aws:cloudtrail:{region}:{account}:trail/{id}|trail-|DescribeTrails GetTrailStatus GetEventSelectors LookupEvents ListTrails GetTrail CreateTrail UpdateTrail StartLogging StopLogging DeleteTrail PutEventSelectors
rds|4|AWS::RDS::DBInstance|arn:aws:rds:{region}:{account}:db:{id}|db-|DescribeDBInstances DescribeDBClusters DescribeDBSnapshots DescribeDBParameterGroups DescribeEvents ListTagsForResource CreateDBInstance DeleteDBInstance ModifyDBInstance CreateDBSnapshot RebootDBInstance
dynamodb|4|AWS::DynamoDB::Table|arn:aws:dynamodb:{region}:{account}:table/{id}|tbl-|DescribeTable ListTables DescribeContinuousBackups DescribeTimeToLive ListTagsOfResource CreateTable DeleteTable UpdateTable UpdateTimeToLive
sns|2|AWS::SNS::Topic|arn:aws:sns:{region}:{account}:{id}|topic-|ListTopics GetTopicAttributes ListSubscriptionsByTopic CreateTopic DeleteTopic Subscribe SetTopicAttributes
sqs|3|AWS::SQS::Queue|arn:aws:sqs:{region}:{account}:{id}|queue-|ListQueues GetQueueAttributes GetQueueUrl CreateQueue DeleteQueue SetQueueAttributes PurgeQueue
logs|6|AWS::Logs::LogGroup|arn:aws:logs:{region}:{account}:log-group:{id}|/app/|DescribeLogGroups DescribeLogStreams DescribeMetricFilters DescribeSubscriptionFilters CreateLogGroup DeleteLogGroup PutRetentionPolicy CreateLogStream
monitoring|5|AWS::CloudWatch::Alarm|arn:aws:cloudwatch:{region}:{account}:alarm:{id}|alarm-|DescribeAlarms GetMetricStatistics ListMetrics GetMetricData DescribeAlarmHistory PutMetricAlarm DeleteAlarms
ssm|7|AWS::SSM::Parameter|arn:aws:ssm:{region}:{account}:parameter/{id}|param-|GetParameter GetParameters GetParametersByPath DescribeParameters DescribeInstanceInformation ListCommands UpdateInstanceInformation PutParameter DeleteParameter SendCommand StartSession
secretsmanager|4|AWS::SecretsManager::Secret|arn:aws:secretsmanager:{region}:{account}:secret:{id}|secret-|GetSecretValue DescribeSecret ListSecrets GetResourcePolicy CreateSecret DeleteSecret PutSecretValue RotateSecret
ecs|3|AWS::ECS::Service|arn:aws:ecs:{region}:{account}:service/{id}|svc-|DescribeServices DescribeClusters ListServices ListTasks DescribeTaskDefinition CreateService UpdateService RegisterTaskDefinition
eks|2|AWS::EKS::Cluster|arn:aws:eks:{region}:{account}:cluster/{id}|eks-|DescribeCluster ListClusters ListNodegroups DescribeNodegroup CreateCluster UpdateClusterConfig
ecr|3|AWS::ECR::Repository|arn:aws:ecr:{region}:{account}:repository/{id}|repo-|DescribeRepositories ListImages DescribeImages GetAuthorizationToken BatchGetImage GetDownloadUrlForLayer CreateRepository DeleteRepository PutImage
cloudformation|3|AWS::CloudFormation::Stack|arn:aws:cloudformation:{region}:{account}:stack/{id}|stack-|DescribeStacks ListStacks DescribeStackEvents DescribeStackResources GetTemplate CreateStack UpdateStack DeleteStack
elasticloadbalancing|2|AWS::ElasticLoadBalancingV2::LoadBalancer|arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{id}|lb-|DescribeLoadBalancers DescribeTargetGroups DescribeTargetHealth DescribeListeners CreateLoadBalancer DeleteLoadBalancer RegisterTargets
autoscaling|2|AWS::AutoScaling::AutoScalingGroup|arn:aws:autoscaling:{region}:{account}:autoScalingGroup:{id}|asg-|DescribeAutoScalingGroups DescribeScalingActivities DescribeLaunchConfigurations UpdateAutoScalingGroup SetDesiredCapacity
route53|1|AWS::Route53::HostedZone|arn:aws:route53::{account}:hostedzone/{id}|Z|ListHostedZones GetHostedZone ListResourceRecordSets ChangeResourceRecordSets CreateHostedZone
cloudfront|1|AWS::CloudFront::Distribution|arn:aws:cloudfront::{account}:distribution/{id}|E|ListDistributions GetDistribution GetDistributionConfig UpdateDistribution CreateInvalidation
apigateway|1|AWS::ApiGateway::RestApi|arn:aws:apigateway:{region}:{account}:/restapis/{id}|api-|GetRestApis GetResources GetStages CreateDeployment UpdateStage
events|2|AWS::Events::Rule|arn:aws:events:{region}:{account}:rule/{id}|rule-|ListRules DescribeRule ListTargetsByRule PutRule PutTargets DeleteRule
states|1|AWS::StepFunctions::StateMachine|arn:aws:states:{region}:{account}:stateMachine:{id}|sm-|ListStateMachines DescribeStateMachine StartExecution DescribeExecution
glue|1|AWS::Glue::Job|arn:aws:glue:{region}:{account}:job/{id}|job-|GetDatabases GetTables GetJobs GetJobRuns StartJobRun
athena|1|AWS::Athena::WorkGroup|arn:aws:athena:{region}:{account}:workgroup/{id}|wg-|StartQueryExecution GetQueryExecution GetQueryResults ListWorkGroups
kinesis|1|AWS::Kinesis::Stream|arn:aws:kinesis:{region}:{account}:stream/{id}|stream-|DescribeStream ListStreams DescribeStreamSummary CreateStream
firehose|1|AWS::KinesisFirehose::DeliveryStream|arn:aws:firehose:{region}:{account}:deliverystream/{id}|ds-|DescribeDeliveryStream ListDeliveryStreams UpdateDestination
sso|1|AWS::SSO::PermissionSet|arn:aws:sso::{account}:permissionSet/{id}|ps-|ListPermissionSets DescribePermissionSet ListAccountAssignments CreateAccountAssignment
organizations|1|AWS::Organizations::Account|arn:aws:organizations::{account}:account/{id}|acct-|DescribeOrganization ListAccounts ListRoots DescribeAccount
config|2|AWS::Config::ConfigRule|arn:aws:config:{region}:{account}:config-rule/{id}|rule-|DescribeConfigRules DescribeComplianceByConfigRule DescribeConfigurationRecorders PutEvaluations PutConfigRule
guardduty|1|AWS::GuardDuty::Detector|arn:aws:guardduty:{region}:{account}:detector/{id}|det-|ListDetectors GetDetector ListFindings GetFindings UpdateDetector
securityhub|1|AWS::SecurityHub::Hub|arn:aws:securityhub:{region}:{account}:hub/{id}|hub-|GetFindings DescribeHub GetEnabledStandards BatchImportFindings
backup|1|AWS::Backup::BackupVault|arn:aws:backup:{region}:{account}:backup-vault:{id}|vault-|ListBackupJobs ListBackupVaults DescribeBackupVault StartBackupJob
elasticfilesystem|1|AWS::EFS::FileSystem|arn:aws:elasticfilesystem:{region}:{account}:file-system/{id}|fs-|DescribeFileSystems DescribeMountTargets CreateFileSystem
acm|1|AWS::ACM::Certificate|arn:aws:acm:{region}:{account}:certificate/{id}||ListCertificates DescribeCertificate RequestCertificate
wafv2|1|AWS::WAFv2::WebACL|arn:aws:wafv2:{region}:{account}:regional/webacl/{id}|acl-|ListWebACLs GetWebACL UpdateWebACL
codebuild|1|AWS::CodeBuild::Project|arn:aws:codebuild:{region}:{account}:project/{id}|proj-|BatchGetProjects ListProjects StartBuild BatchGetBuilds
`;

export const SERVICES: ServiceSpec[] = TABLE.trim()
  .split("\n")
  .map((line) => {
    const [host = "", weight = "1", resourceType = "", template = "", idPrefix = "", actions = ""] =
      line.split("|");
    return {
      source: `${host}.amazonaws.com`,
      host,
      actions: actions.split(" "),
      resourceType,
      arn: (account, region, id) =>
        template.replace("{account}", account).replace("{region}", region).replace("{id}", id),
      idPrefix,
      weight: Number(weight),
    };
  });

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
