Console.WriteLine("dbus-bench");
