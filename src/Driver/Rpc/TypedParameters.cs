using Tmds.DBus.Protocol;

namespace Kvm.Driver.Rpc;

/// <summary>
/// remote_typed_param lists: a field name, then a union on virTypedParameterType (1 int, 2 uint, 3 llong, 4 ullong,
/// 5 double, 6 boolean, 7 string). The values come from the driver core's statistics, shared with the D-Bus front end.
/// </summary>
internal static class TypedParameters
{
    /// <summary>REMOTE_CONNECT_GET_ALL_DOMAIN_STATS_MAX: parameters in one domain's record.</summary>
    public const int MaxDomainStats = 262_144;

    private const int TypeInt = 1, TypeUInt = 2, TypeLLong = 3, TypeULLong = 4, TypeDouble = 5, TypeBoolean = 6, TypeString = 7;

    public static void Write(ref XdrWriter writer, IReadOnlyList<KeyValuePair<string, VariantValue>> parameters, int max)
    {
        writer.WriteArrayCount(parameters.Count, max);
        foreach ((string field, VariantValue value) in parameters)
        {
            writer.WriteString(field);
            switch (value.Type)
            {
                case VariantValueType.Int32:
                    writer.WriteInt32(TypeInt);
                    writer.WriteInt32(value.GetInt32());
                    break;
                case VariantValueType.UInt32:
                    writer.WriteInt32(TypeUInt);
                    writer.WriteUInt32(value.GetUInt32());
                    break;
                case VariantValueType.Int64:
                    writer.WriteInt32(TypeLLong);
                    writer.WriteInt64(value.GetInt64());
                    break;
                case VariantValueType.UInt64:
                    writer.WriteInt32(TypeULLong);
                    writer.WriteUInt64(value.GetUInt64());
                    break;
                case VariantValueType.Double:
                    writer.WriteInt32(TypeDouble);
                    writer.WriteUInt64(BitConverter.DoubleToUInt64Bits(value.GetDouble()));
                    break;
                case VariantValueType.Bool:
                    writer.WriteInt32(TypeBoolean);
                    writer.WriteInt32(value.GetBool() ? 1 : 0);
                    break;
                case VariantValueType.String:
                    writer.WriteInt32(TypeString);
                    writer.WriteString(value.GetString());
                    break;
                default:
                    throw new ArgumentException($"Statistic {field} has no typed-parameter form ({value.Type})", nameof(parameters));
            }
        }
    }
}
